"""The report heading from the config: who issues it, its number line, who signs, where copies go."""

from __future__ import annotations

from loa114.scheduler.config import Config
from loa114.scheduler.reports.docx import Heading


def heading_of(config: Config) -> Heading:
    settings, commune = config.reports, config.commune
    sent_to = settings.sent_to or [
        f"UBND xã {commune.name}",
        f"Phòng PC07 Công an tỉnh {commune.province}",
        "Lưu: CAX",
    ]
    return Heading(
        issuer=settings.issuer or f"CÔNG AN XÃ {commune.name.upper()}",
        parent=settings.parent or f"CÔNG AN TỈNH {commune.province.upper()}",
        number=settings.number,
        signer_title=settings.signer_title,
        recipients=tuple(sent_to),
    )
