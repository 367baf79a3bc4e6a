"""Builds the template context that `content` renders scripts with, from the config and the campaign's
figures (`campaign.figures`: the database's, or a commune with no reports yet for `loa check`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from loa114.content.context import AlertInfo, SlotInfo, slot_label, template_context
from loa114.scheduler.campaign.figures import Figures, campaign_info, commune_info
from loa114.scheduler.config import Config, Slot


def slot_info(slot: Slot) -> SlotInfo:
    hhmm = slot.time.strftime("%H:%M")
    return SlotInfo(id=slot.id, time=hhmm, label=slot_label(hhmm))


def build_context(
    config: Config,
    coverage: Figures,
    day: date,
    *,
    slot: Slot | None = None,
    villages: Sequence[str] = (),
    alert: tuple[str, datetime, tuple[str, ...]] | None = None,
) -> dict[str, object]:
    """The context for one script on `day` (commune-local), optionally for lagging villages or an alert."""
    alert_info = None
    if alert is not None:
        message, issued_at, zones = alert
        alert_info = AlertInfo(message=message, issued_at=issued_at.astimezone(config.tz), zones=zones)
    return template_context(
        commune=commune_info(config),
        campaign=campaign_info(config, day),
        today=day,
        slot=slot_info(slot) if slot else None,
        coverage=coverage.commune(day),
        village=coverage.village(day, villages[0]) if len(villages) == 1 else None,
        villages=tuple(coverage.village(day, v) for v in villages),
        alert=alert_info,
    )
