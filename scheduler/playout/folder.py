"""The playout folder adapter: marks the manifest `published` so a player watching the folder knows.

It runs first: a manifest that says `published` is how a restart knows that publication had begun."""

from __future__ import annotations

from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout.base import Airing, PlayoutAdapter
from loa114.scheduler.playout.manifest import mark_manifest


class FolderPlayout(PlayoutAdapter):
    name = "folder"

    def publish(self, airing: Airing) -> str | None:
        if not airing.program.is_file():
            raise PlayoutError(self.name, f"thiếu tệp chương trình {airing.program}")
        try:
            marked = mark_manifest(airing.folder, "published", published_at=airing.aired_at)
        except OSError as exc:
            raise PlayoutError(
                self.name, f"không ghi được {airing.folder / 'manifest.json'}: {exc.strerror or exc}"
            ) from None
        if not marked:
            raise PlayoutError(self.name, f"không đọc được {airing.folder / 'manifest.json'}")
        return str(airing.program)
