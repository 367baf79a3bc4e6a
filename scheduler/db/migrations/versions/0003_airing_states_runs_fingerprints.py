"""airing states, service runs, program fingerprints, cancelled notices

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_runs_beat_at"), ["beat_at"], unique=False)
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("inputs", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("broadcast_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audio_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("request_key", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "village_id",
            existing_type=sa.String(length=64),
            type_=sa.String(length=500),
            existing_nullable=True,
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    # missed rows recorded before reasons had codes: recover the code from the sentence stored then
    op.execute(
        "UPDATE broadcasts SET reason = CASE WHEN error LIKE 'chương trình chưa sẵn sàng%' "
        "THEN 'not_ready' ELSE 'service_down' END WHERE status = 'missed'"
    )
    op.execute("UPDATE broadcasts SET reason = 'playout_failed' WHERE status = 'failed'")


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
    with op.batch_alter_table("broadcast_items", schema=None) as batch_op:
        batch_op.drop_column("request_key")
        batch_op.alter_column(
            "village_id",
            existing_type=sa.String(length=500),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
        batch_op.drop_column("audio_key")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("inputs")
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("reason")
    with op.batch_alter_table("service_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_runs_beat_at"))
    op.drop_table("service_runs")
