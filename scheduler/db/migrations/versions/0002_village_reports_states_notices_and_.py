"""village reports, states, notices and deliveries

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "day", "kind", name="uq_notice_village_day_kind"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_village_id"), ["village_id"], unique=False)

    op.create_table(
        "village_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("households_installed", sa.Integer(), nullable=False),
        sa.Column("installs", sa.Integer(), nullable=False),
        sa.Column("smartphone_users", sa.Integer(), nullable=True),
        sa.Column("households_visited", sa.Integer(), nullable=True),
        sa.Column("with_extinguisher", sa.Integer(), nullable=True),
        sa.Column("with_second_exit", sa.Integer(), nullable=True),
        sa.Column("unsafe_electrics", sa.Integer(), nullable=True),
        sa.Column("unsafe_households", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "day", name="uq_report_village_day"),
    )
    op.create_index(
        "ix_report_estimates",
        "village_reports",
        ["village_id", "day"],
        sqlite_where=sa.text("smartphone_users IS NOT NULL"),
        postgresql_where=sa.text("smartphone_users IS NOT NULL"),
    )
    op.create_table(
        "village_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lagging", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("household_rate", sa.Float(), nullable=False),
        sa.Column("install_rate", sa.Float(), nullable=False),
        sa.Column("expected_rate", sa.Float(), nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("village_id", "day", name="uq_state_village_day"),
    )
    with op.batch_alter_table("village_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_village_states_village_id"), ["village_id"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "target", name="uq_delivery_notice_target"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_next_attempt_at"), ["next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_status"))
        batch_op.drop_index(batch_op.f("ix_deliveries_notice_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_next_attempt_at"))

    op.drop_table("deliveries")
    with op.batch_alter_table("village_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_village_states_village_id"))

    op.drop_table("village_states")
    op.drop_index("ix_report_estimates", table_name="village_reports")
    op.drop_table("village_reports")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_village_id"))
        batch_op.drop_index(batch_op.f("ix_notices_day"))

    op.drop_table("notices")
