"""The browser-test and API-fuzz infrastructure works: a live server, Debian's chromium clicking a button
and loading a WAV, vendored htmx swapping a fragment, screenshots, and schemathesis on a typed route."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from tests import browser as browser_helpers
from tests.browser import OfflineGuard, browser_missing, save_screenshot, serve, skip_or_fail
from tests.fuzz import assert_no_server_errors

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture says why and skips, or fails under REQUIRE_BROWSER=1
    Page = expect = None  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "scheduler" / "web" / "static" / "vendor"

RATE = 8000
SECONDS = 0.5


def tone_wav(seconds: float = SECONDS, rate: int = RATE) -> bytes:
    """A short 440 Hz mono 16-bit WAV, made here (no file in the repository, no network)."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
        for i in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Thử trình duyệt</title></head>
<body>
  <button id="bam" type="button">Bấm</button>
  <p id="ket-qua">chưa bấm</p>
  <audio id="ban-tin" controls preload="metadata" src="/tone.wav"></audio>
  <script>
    document.getElementById("bam").addEventListener("click", () => {
      document.getElementById("ket-qua").textContent = "đã bấm";
    });
  </script>
</body></html>
"""

HTMX_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><script src="/static/htmx.min.js"></script></head>
<body>
  <button hx-get="/fragment" hx-target="#vung" hx-swap="innerHTML">Tải</button>
  <div id="vung">trống</div>
</body></html>
"""


def page_app() -> FastAPI:
    app = FastAPI()
    wav = tone_wav()

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return PAGE

    @app.get("/tone.wav")
    def tone() -> Response:
        return Response(wav, media_type="audio/wav")

    @app.get("/htmx", response_class=HTMLResponse)
    def htmx_page() -> str:
        return HTMX_PAGE

    @app.get("/static/htmx.min.js")
    def htmx_js() -> Response:
        return Response((VENDOR / "htmx.min.js").read_bytes(), media_type="text/javascript")

    @app.get("/fragment", response_class=HTMLResponse)
    def fragment() -> str:
        return "<strong id='moi'>Nà Pàn: 142 hộ</strong>"

    return app


def test_live_server_serves_and_stops() -> None:
    import httpx

    with serve(page_app()) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        answer = httpx.get(f"{base_url}/tone.wav", timeout=5)
        assert answer.status_code == 200
        assert answer.content[:4] == b"RIFF"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base_url}/tone.wav", timeout=1)


def test_without_chromium_browser_tests_skip_or_fail(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser_helpers, "CHROMIUM", tmp_path / "chromium")
    reason = browser_missing()
    assert reason is not None and "apt-get install chromium" in reason
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="browser tests skipped"):
        skip_or_fail(reason)
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER=1 but browser tests cannot run"):
        skip_or_fail(reason)


def test_two_live_servers_get_their_own_ports(live_server) -> None:
    first, second = live_server(page_app()), live_server(page_app())
    assert first != second


def test_click_changes_text_and_audio_loads(page: Page, live_server) -> None:
    page.goto(live_server(page_app()))
    expect(page.locator("#ket-qua")).to_have_text("chưa bấm")
    page.get_by_role("button", name="Bấm").click()
    expect(page.locator("#ket-qua")).to_have_text("đã bấm")

    page.wait_for_function("document.getElementById('ban-tin').readyState >= 1")  # HAVE_METADATA
    duration = page.evaluate("document.getElementById('ban-tin').duration")
    assert duration > 0
    assert duration == pytest.approx(SECONDS, abs=0.05)
    assert page.evaluate("document.getElementById('ban-tin').error") is None


def test_vendored_htmx_swaps_a_fragment(page: Page, live_server) -> None:
    page.goto(live_server(page_app()) + "/htmx")
    assert page.evaluate("htmx.version").startswith("2.")
    page.get_by_role("button", name="Tải").click()
    expect(page.locator("#vung #moi")).to_have_text("Nà Pàn: 142 hộ")
    assert "Zero-Clause BSD" in (VENDOR / "LICENSE-htmx").read_text(encoding="utf-8")


def test_a_page_reaching_for_the_internet_is_stopped(browser, live_server) -> None:
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return '<!doctype html><script src="https://cdn.example.org/htmx.min.js"></script><p>x</p>'

    context = browser.new_context()
    guard = OfflineGuard()
    context.route("**/*", guard)
    try:
        page = context.new_page()
        page.goto(live_server(app))
        expect(page.locator("p")).to_have_text("x")
    finally:
        context.close()
    assert guard.blocked == ["https://cdn.example.org/htmx.min.js"]


# parametrizing `viewport` overrides the conftest fixture for this test only: a phone-sized page
@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_screenshot_is_saved_at_the_chosen_size(page: Page, live_server, tmp_path: Path) -> None:
    page.goto(live_server(page_app()))
    path = save_screenshot(page, "thu-trinh-duyet", folder=tmp_path, full_page=False)
    assert path == tmp_path / "thu-trinh-duyet.png"
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (390, 844)
    with pytest.raises(ValueError, match="screenshot name"):
        save_screenshot(page, "../outside", folder=tmp_path)


# --- schemathesis ---------------------------------------------------------------------------------


class Report(BaseModel):
    village: str = Field(min_length=1, max_length=60)
    households: int = Field(ge=0, le=100_000)
    installed: int = Field(ge=0)


def fuzz_app(*, broken: str | None = None, seen: list[str | None] | None = None) -> FastAPI:
    app = FastAPI()

    @app.post("/reports")
    def report(body: Report) -> dict[str, float]:
        if broken == "raises" and body.installed > body.households:
            raise RuntimeError("more installs than households")  # unhandled: the test client re-raises it
        if broken == "answers 500" and body.installed > body.households:
            raise HTTPException(500, "more installs than households")
        if body.installed > body.households:
            raise HTTPException(422, "more installs than households")
        return {"share": body.installed / body.households if body.households else 0.0}

    @app.get("/villages/{village_id}", response_class=PlainTextResponse)
    def village(village_id: str) -> str:
        return village_id

    if seen is not None:

        @app.middleware("http")
        async def login(request, call_next):
            seen.append(request.headers.get("authorization"))
            return await call_next(request)

    return app


def test_schemathesis_finds_no_server_error() -> None:
    ran = assert_no_server_errors(fuzz_app(), "/openapi.json")
    assert sorted(ran) == ["GET /villages/{village_id}", "POST /reports"]


@pytest.mark.parametrize(
    ("broken", "error", "message"),
    [
        ("raises", RuntimeError, "more installs than households"),  # the in-process client re-raises
        ("answers 500", AssertionError, r"(?s)POST /reports: .*Server error"),
    ],
)
def test_schemathesis_catches_a_server_error(broken: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        assert_no_server_errors(fuzz_app(broken=broken), "/openapi.json")


def test_schemathesis_sends_the_auth_headers() -> None:
    seen: list[str | None] = []
    app = fuzz_app(seen=seen)
    assert_no_server_errors(
        app, "/openapi.json", auth_headers={"Authorization": "Bearer bi-mat"}, max_examples=5
    )
    assert len(seen) > 2  # the schema itself, then the generated requests
    assert set(seen) == {"Bearer bi-mat"}
