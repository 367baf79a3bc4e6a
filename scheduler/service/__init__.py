"""The running service: the composition root, the station's steps, their lanes, the process, HTTP.

Owns: `app` (builds the object graph once from the config), `station` (each step, testable with an
explicit `now`), `runtime` (APScheduler lanes that decide when), `serve` (the process),
`web` (`/healthz`).

May import every room below it (`programs`, `campaign`, `playout`, `notify`, `config`, `db`, `events`).
Never `cli`.
"""
