"""What a reminder or escalation says, and to whom: Vietnamese reasons with figures, and delivery targets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from loa114.content.context import VillageCoverage
from loa114.content.notices import Notice as NoticeText
from loa114.content.notices import Recipient, render_notice
from loa114.content.render import percent
from loa114.content.text import fold
from loa114.scheduler.campaign.figures import campaign_info, commune_info
from loa114.scheduler.campaign.rules import HOUSEHOLD_BEHIND, INSTALL_BEHIND, STALE
from loa114.scheduler.config import Config, Contact

FILE_TARGET = "file"


@dataclass(frozen=True)
class Target:
    target: str  # an Apprise URL, or "file" (the printable notice)
    recipient: str


def reason_sentences(coverage: VillageCoverage, day: date) -> list[str]:
    sentences = []
    for reason in coverage.reasons:
        if reason == HOUSEHOLD_BEHIND:
            gap = (coverage.expected_rate - coverage.household_rate) * 100
            sentences.append(
                f"Tỷ lệ hộ có người cài đặt {percent(coverage.household_rate)}, thấp hơn mức cần đạt "
                f"{percent(coverage.expected_rate)} (chậm {gap:.1f} điểm); còn "
                f"{coverage.households_missing} hộ chưa có ai cài đặt."
            )
        elif reason == INSTALL_BEHIND:
            sentences.append(
                f"Tỷ lệ người dùng điện thoại thông minh đã cài đặt {percent(coverage.install_rate)} "
                f"({coverage.installs}/{coverage.smartphone_users} người), thấp hơn mức cần đạt "
                f"{percent(coverage.expected_install_rate)}."
            )
        elif reason == STALE:
            if coverage.last_report is None:
                sentences.append("Thôn chưa gửi báo cáo kết quả cài đặt nào từ khi bắt đầu kế hoạch.")
            else:
                days = (day - coverage.last_report).days
                sentences.append(
                    f"Chưa có báo cáo mới từ ngày {coverage.last_report:%d/%m/%Y} ({days} ngày không báo cáo)."
                )
    return [_decimal_comma(s) for s in sentences]


def _decimal_comma(sentence: str) -> str:
    """'chậm 19.5 điểm' → 'chậm 19,5 điểm' (Vietnamese decimal comma); percentages are already formatted."""
    return re.sub(r"(\d)\.(\d) điểm", r"\1,\2 điểm", sentence)


def recipient(contact: Contact) -> Recipient:
    """How a notice addresses a contact: the role is left out when the name already says it
    ("Trưởng Công an xã", role "Trưởng Công an xã" → addressed once)."""
    name, role = contact.name.strip(), contact.role.strip()
    if fold(role) and fold(role) in fold(name):
        role = ""
    return Recipient(name, role)


def targets_for(contacts: list[Contact]) -> list[Target]:
    """One target per address: two contacts sharing a gateway address get one message, naming both."""
    labels: dict[str, list[str]] = {}
    for contact in contacts:
        person = recipient(contact)
        label = f"{person.name} ({person.role})" if person.role else person.name
        for url in contact.notify:
            if label not in labels.setdefault(url.strip(), []):
                labels[url.strip()].append(label)
    found = [Target(url, ", ".join(names)) for url, names in labels.items() if url.lower() != FILE_TARGET]
    found.append(Target(FILE_TARGET, "bản in"))
    return found


def compose(
    config: Config,
    kind: str,
    coverage: VillageCoverage,
    day: date,
    *,
    reminder_count: int = 0,
    first_reminder: date | None = None,
) -> tuple[NoticeText, list[Target]]:
    village = next(v for v in config.villages if v.id == coverage.id)
    contacts = village.contacts if kind == "reminder" else config.escalation.contacts
    context: dict[str, object] = {
        "commune": commune_info(config),
        "campaign": campaign_info(config, day),
        "today": day,
        "village": coverage,
        "reasons": reason_sentences(coverage, day),
        "recipients": [recipient(c) for c in contacts],
    }
    if kind == "escalation":
        context["reminder_count"] = reminder_count
        context["first_reminder"] = first_reminder
    return render_notice(kind, context, directory=config.notices.templates), targets_for(list(contacts))
