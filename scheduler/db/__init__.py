"""The database: tables (`models`), column types (`types`), the engine and migrations (`engine`),
and the row helpers every room shares (`rows`: get-or-insert under a unique key, conditional updates).

SQLite by default, PostgreSQL by URL; datetimes are stored in UTC. Unique constraints are the
idempotency keys of the service. Imports nothing from the other rooms.
"""
