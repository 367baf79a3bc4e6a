"""Runs `playout.command` at airtime, e.g. a player on the PC wired to the amplifier.

The template may use {file}, {zone}, {slot}, {date}; it is split like a shell command line (no shell
is involved, so a file name cannot inject commands). A non-zero exit status fails the broadcast.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from datetime import timedelta

from loa114.scheduler.errors import PlayoutError
from loa114.scheduler.playout.base import Airing, PlayoutAdapter

log = logging.getLogger(__name__)
PLACEHOLDERS = ("file", "zone", "slot", "date")


def command_line(template: str, airing: Airing) -> list[str]:
    values = {
        "file": str(airing.program),
        "zone": airing.zone,
        "slot": airing.slot,
        "date": airing.day.isoformat(),
    }
    try:
        return [part.format(**values) for part in shlex.split(template)]
    except (KeyError, IndexError, ValueError) as exc:
        raise PlayoutError("command", f"mẫu lệnh phát không hợp lệ {template!r}: {exc}") from None


class CommandPlayout(PlayoutAdapter):
    name = "command"
    plays = True

    def __init__(self, template: str, timeout: timedelta = timedelta(minutes=30)):
        self.template = template
        self.timeout = timeout

    def publish(self, airing: Airing) -> str | None:
        argv = command_line(self.template, airing)
        log.info("playout command starting argv=%s", argv)
        try:
            done = subprocess.run(
                argv, capture_output=True, timeout=self.timeout.total_seconds(), check=False
            )
        except FileNotFoundError:
            raise PlayoutError(self.name, f"không tìm thấy chương trình {argv[0]!r}") from None
        except OSError as exc:
            raise PlayoutError(self.name, f"không chạy được {argv[0]!r}: {exc.strerror or exc}") from None
        except subprocess.TimeoutExpired:
            raise PlayoutError(self.name, f"lệnh phát chạy quá {self.timeout}") from None
        if done.returncode != 0:
            tail = (done.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise PlayoutError(
                self.name, f"lệnh phát trả mã lỗi {done.returncode}: {tail[0]}", exit_status=done.returncode
            )
        return f"exit 0: {' '.join(argv)}"
