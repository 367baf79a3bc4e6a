"""What airs, and what happened at airtime: the broadcast side of the service.

Owns: the planner (occurrences, rotation, filling a slot), the broadcast rows, the template context of a
program, its input fingerprint, the studio that builds programs (slot and urgent alert) into the playout
folder, airing (claim, publish, outcome), missed slots and their reasons, which process was up when
(`runs`), recovery after a crash, the
listing of a day's broadcasts, what a person does to a broadcast (`confirming`: confirm aired or failed,
cancel, replay), scripts pinned into one occurrence (`pins`), `loa check`, `loa preview` (and the urgent
alert's preview) and the disk cleanup.

May import: `campaign` (coverage figures), `playout`, `store`, `config`, `db`, `events`, `files`, `errors`, `clock`,
and the `content` and `audio` halves. Never `service` or `cli`.
"""
