"""Delivery channels for reminder and escalation notices (the outbox decides when to call them).

``notifier_for(target, notices_dir)`` picks the channel for one configured target: the word ``file``
means the printable notice in ``notices_dir``; anything else is an Apprise URL. The channels load
Apprise and python-docx (≈30 MB together) only when a notice is actually sent. May import `files`
and `errors`; the outbox in `campaign` is the only caller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loa114.scheduler.notify.base import DeliveryError, Message, Notifier

FILE_TARGET = "file"

__all__ = [
    "FILE_TARGET",
    "AppriseNotifier",
    "DeliveryError",
    "FileNotifier",
    "Message",
    "Notifier",
    "notifier_for",
]


def notifier_for(target: str, notices_dir: Path) -> Notifier:
    """``"file"`` → the printable-notice channel; any other target → Apprise (which validates it on send)."""
    if target.strip().lower() == FILE_TARGET:
        from loa114.scheduler.notify.file import FileNotifier

        return FileNotifier(notices_dir)
    from loa114.scheduler.notify.apprise import AppriseNotifier

    return AppriseNotifier()


def __getattr__(name: str) -> Any:
    if name == "AppriseNotifier":
        from loa114.scheduler.notify.apprise import AppriseNotifier

        return AppriseNotifier
    if name == "FileNotifier":
        from loa114.scheduler.notify.file import FileNotifier

        return FileNotifier
    raise AttributeError(name)
