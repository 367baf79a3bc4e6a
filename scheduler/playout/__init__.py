"""Playout: how a built program reaches the loudspeakers.

Owns: the adapters (`folder`, always; `command`, an operator's player, optional; `icecast`, a stream per
zone for IP loudspeakers, optional) behind one base class, and the program folder's `manifest.json` (what
other tools read). May import `config`, `files`, `errors`, and `audio.ffmpeg` (late: it is heavy).
"""

from loa114.scheduler.config import Config
from loa114.scheduler.playout.base import Airing, PlayoutAdapter
from loa114.scheduler.playout.command import CommandPlayout
from loa114.scheduler.playout.folder import FolderPlayout
from loa114.scheduler.playout.icecast import IcecastPlayout

__all__ = ["Airing", "CommandPlayout", "FolderPlayout", "IcecastPlayout", "PlayoutAdapter", "adapters_for"]


def adapters_for(config: Config) -> list[PlayoutAdapter]:
    adapters: list[PlayoutAdapter] = [FolderPlayout()]
    if config.playout.command:
        adapters.append(CommandPlayout(config.playout.command, config.playout.command_timeout))
    if config.playout.icecast:
        zones = [zone.id for zone in config.zones]
        adapters.append(IcecastPlayout(config.playout.icecast, config.commune.id, zones))
    return adapters
