"""A broadcast's states, apart from the ORM models: `loa broadcasts list` reads them without mapping a
single class (the ORM costs a quarter of a second at start-up)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """planned → ready → airing → published | aired | failed; or missed, or cancelled by a person.
    published, aired, missed, failed and cancelled are final (a published one may still be confirmed
    aired or failed by an operator)."""

    PLANNED = "planned"  # the occurrence exists; no program yet (or the last build failed: `error`)
    READY = "ready"  # program built, waiting for airtime
    AIRING = "airing"  # claimed at airtime; the playout adapters are running
    PUBLISHED = "published"  # only the folder received it: due to play, awaiting confirmation
    AIRED = "aired"  # a player ran it, or an operator confirmed it
    MISSED = "missed"  # never aired (`reason`: service_down, not_ready, render_failed, not_aired)
    FAILED = "failed"  # airing was attempted and failed (`reason`: playout_failed, interrupted, ...)
    CANCELLED = "cancelled"  # a person cancelled it before airtime (`error`: why; `confirmed_by`: who)


FINAL = (Status.PUBLISHED, Status.AIRED, Status.MISSED, Status.FAILED, Status.CANCELLED)
UNAIRED = (Status.PLANNED, Status.READY)
