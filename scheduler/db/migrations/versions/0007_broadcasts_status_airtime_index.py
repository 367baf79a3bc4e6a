"""broadcasts: an index on (status, airtime), which every airing round and the province's air poll search by

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_broadcasts_status_airtime", "broadcasts", ["status", "airtime"])


def downgrade() -> None:
    op.drop_index("ix_broadcasts_status_airtime", table_name="broadcasts")
