"""Browser-test helpers: any ASGI app served live by uvicorn, Debian's chromium driven by Playwright.

Playwright's own browsers are never downloaded: we launch Debian's `chromium` package
(`/usr/bin/chromium`, `apt-get install chromium`). Without it (or without the `playwright` Python
package) browser tests are skipped, unless REQUIRE_BROWSER=1 (CI sets it), when they fail instead.
The fixtures built on these helpers live in tests/conftest.py: `live_server`, `browser`, `page`.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import uvicorn

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

SERVER_START_TIMEOUT = 10.0  # seconds: how long a server may take to accept, polled, never slept


def _require_browser() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def browser_missing() -> str | None:
    """Why browser tests cannot run here, or None when chromium and Playwright are both present."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install brings it with the dev extras)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    return None


def skip_or_fail(reason: str) -> None:
    """Skip a browser test, or fail it when REQUIRE_BROWSER=1 says a browser must be there."""
    if _require_browser():
        pytest.fail(f"REQUIRE_BROWSER=1 but browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set REQUIRE_BROWSER=1 to fail instead)")


def launch_args() -> list[str]:
    # chromium's sandbox refuses to start as root (CI and the dev machines run as root)
    return ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@contextmanager
def serve(app: Any, *, timeout: float = SERVER_START_TIMEOUT) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a daemon thread on a free 127.0.0.1 port; yield its base URL.

    The socket is bound here (port 0: the kernel picks a free one, no race with another test) and
    handed to uvicorn, which listens on it; we poll until uvicorn reports it started and a connection
    is accepted. At exit the server is asked to stop and its thread is joined.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave logging as pytest set it up (uvicorn would install its own handlers)
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="auto",
        loop="asyncio",  # never uvloop's global event-loop policy, whatever else is installed
        timeout_graceful_shutdown=3,  # a browser's open stream must not hold the teardown
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"uvicorn:{port}"
    )
    thread.start()
    try:
        _wait_until_accepting(server, thread, port, timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"the test server on port {port} did not stop within {timeout} s")


def _wait_until_accepting(
    server: uvicorn.Server, thread: threading.Thread, port: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if not thread.is_alive():
            raise RuntimeError(f"the test server on port {port} stopped before it accepted (see its log)")
        if server.started:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test server on port {port} did not accept within {timeout} s")
        # not a sleep on wall-clock time: wait briefly for the server thread, waking as soon as it ends
        thread.join(0.01)


class OfflineGuard:
    """Routes every request of a browser context: local ones go through, any other is aborted and kept.

    Browser tests never touch the internet, and a page that reaches for a CDN shows up here.
    """

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def __call__(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            self.blocked.append(url)
            route.abort("blockedbyclient")
            return
        route.continue_()


_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def save_screenshot(page: Page, name: str, *, folder: Path | None = None, full_page: bool = True) -> Path:
    """Save a PNG of the page as <folder>/<name>.png. By default into docs/screenshots/ (the README's) only
    when LOA_UPDATE_SCREENSHOTS=1, else into a temporary folder: a test run leaves the work tree clean."""
    if not _NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits, '-' and '_' only")
    if folder is None:
        update = os.environ.get("LOA_UPDATE_SCREENSHOTS") == "1"
        folder = SCREENSHOTS if update else Path(tempfile.gettempdir()) / "loa114-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
