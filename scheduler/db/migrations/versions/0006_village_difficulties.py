"""village reports: the head's free-text "khó khăn, vướng mắc" (difficulties), gathered into section IV

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("village_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("difficulties", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("village_reports", schema=None) as batch_op:
        batch_op.drop_column("difficulties")
