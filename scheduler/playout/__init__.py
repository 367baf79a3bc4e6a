"""Playout: how a built program reaches the loudspeakers.

Owns: the adapters (`folder`, always; `command`, an operator's player, optional) behind one base class,
and the program folder's `manifest.json` (what other tools read). May import `config`, `files`, `errors`.
"""

from loa114.scheduler.config import Config
from loa114.scheduler.playout.base import Airing, PlayoutAdapter
from loa114.scheduler.playout.command import CommandPlayout
from loa114.scheduler.playout.folder import FolderPlayout

__all__ = ["Airing", "CommandPlayout", "FolderPlayout", "PlayoutAdapter", "adapters_for"]


def adapters_for(config: Config) -> list[PlayoutAdapter]:
    adapters: list[PlayoutAdapter] = [FolderPlayout()]
    if config.playout.command:
        adapters.append(CommandPlayout(config.playout.command, config.playout.command_timeout))
    return adapters
