"""Delivery channels for reminder and escalation notices (the outbox decides when to call them).

``notifier_for(target, notices_dir)`` picks the channel for one configured target: the word ``file``
means the printable notice in ``notices_dir``; anything else is an Apprise URL.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.notify.apprise import AppriseNotifier
from scheduler.notify.base import DeliveryError, Message, Notifier
from scheduler.notify.file import FileNotifier

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
        return FileNotifier(notices_dir)
    return AppriseNotifier()
