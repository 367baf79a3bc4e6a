"""When, where and to whom: the Loa 114 service around `content` (what is said) and `audio` (how it sounds).

Rooms, top to bottom; a room imports only rooms below it (`make lint` checks this with import-linter):

    cli/        the `loa` command
    web/        the `loa serve` process, /healthz, the pages and the JSON API
    service/    the composition root, the station's steps, the runtime lanes
    programs/   planning, building, airing, missed slots, recovery: the broadcast side
    campaign/   village reports, coverage, lagging rules, reminder notices and their outbox
    notify/ playout/   the channels a notice goes out on; the adapters a program is published through
    store.py    the database and its audit trail, handed to every room that changes state
    events.py   domain events, written with the transaction that caused them
    config/ db/        the typed configuration; tables, migrations, engine
    files.py clock.py errors.py   atomic writes; the one clock; the exception tree
"""
