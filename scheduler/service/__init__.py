"""The running service: the composition root, the station's steps, and the lanes they run on.

Owns: `app` (builds the object graph once from the config), `station` (each step, testable with an
explicit `now`), `runtime` (APScheduler lanes that decide when). The process and its HTTP side live in
`web`.

May import every room below it (`programs`, `campaign`, `playout`, `notify`, `config`, `db`, `events`).
Never `cli`.
"""
