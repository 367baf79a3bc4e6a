"""The campaign's loop: village reports in, coverage and lagging villages out, reminders to people.

Owns: the report columns and their parsing, CSV/XLSX reading, the import (one transaction), the blank form,
the lagging rules (pure), the stored reports, the evaluation of every village, the figures templates read,
the text of reminders and escalations, and the outbox that delivers them through `notify`.

May import: `notify`, `store`, `config`, `db`, `events`, `files`, `errors`, `clock`, and `content`. Never
`programs`, `service` or `cli`.
"""
