"""Playout adapters: the folder (always) and an optional external command."""

from scheduler.config import Config
from scheduler.playout.base import Airing, PlayoutAdapter
from scheduler.playout.command import CommandPlayout
from scheduler.playout.folder import FolderPlayout

__all__ = ["Airing", "CommandPlayout", "FolderPlayout", "PlayoutAdapter", "adapters_for"]


def adapters_for(config: Config) -> list[PlayoutAdapter]:
    adapters: list[PlayoutAdapter] = [FolderPlayout()]
    if config.playout.command:
        adapters.append(CommandPlayout(config.playout.command, config.playout.command_timeout))
    return adapters
