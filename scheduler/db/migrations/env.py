"""Alembic environment: runs on the connection handed in by scheduler.db.engine.upgrade."""

from alembic import context

from loa114.scheduler.db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
