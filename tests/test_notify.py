"""Delivery channels: real Apprise with a recording test schema, and the printable-notice files."""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import apprise
import apprise.decorators
import docx
import pytest
import responses
from apprise.manager_plugins import NotificationManager

from loa114.content.notices import render_notice, sample_notice_context
from loa114.scheduler.notify import (
    AppriseNotifier,
    DeliveryError,
    FileNotifier,
    Message,
    notifier_for,
)

BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any attempt to resolve or connect fails the test: delivery tests never leave the machine."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> Any:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], f"a test touched the network: {attempts}"


@dataclass
class Recorder:
    """What the ``loatest://`` schema received; ``loatest://…/fail`` makes it refuse like a server would."""

    calls: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def loatest() -> Iterator[Recorder]:
    recorder = Recorder()

    @apprise.decorators.notify(on="loatest", name="Loa 114 test target")
    def deliver(
        body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any
    ) -> bool:
        recorder.calls.append({"title": title, "body": body, "meta": meta})
        if meta.get("fullpath", "").endswith("/fail"):
            # what a careless plugin might log: the URL, and the password on its own
            log = logging.getLogger("apprise")
            log.warning("mailbox full at %s (quota 100%%)", meta["url"])
            log.warning("login %s/%s refused", meta.get("user"), meta.get("password"))
            return False
        return True

    yield recorder
    NotificationManager().remove("loatest")


@pytest.fixture(scope="module")
def message() -> Message:
    notice = render_notice("reminder", sample_notice_context("reminder"))
    return Message(
        notice_id=17,
        kind="reminder",
        village_id="na-pan",
        village_name="Nà Pàn",
        day=date(2026, 5, 20),
        title=notice.title,
        body=notice.body,
    )


# --- Apprise -------------------------------------------------------------------------------------------


def test_apprise_delivers_title_and_body_unchanged(loatest: Recorder, message: Message) -> None:
    detail = AppriseNotifier().send("loatest://thon/na-pan", message)
    assert [(c["title"], c["body"]) for c in loatest.calls] == [(message.title, message.body)]
    assert "Hoàng Văn Páo" in loatest.calls[0]["body"]
    assert detail is not None and "loatest://" in detail


def test_failing_target_is_transient_with_apprise_reason_and_no_secret(
    loatest: Recorder, message: Message, caplog: pytest.LogCaptureFixture
) -> None:
    target = "loatest://truongthon:Hunter2Secret@thon/fail"
    with caplog.at_level(logging.DEBUG, logger="loa114.scheduler"), pytest.raises(DeliveryError) as caught:
        AppriseNotifier().send(target, message)
    error = caught.value
    assert error.permanent is False
    assert len(loatest.calls) == 1
    assert "mailbox full" in error.message and "quota 100%" in error.message
    assert "refused" in error.message
    assert "Hunter2Secret" not in str(error) and "Hunter2Secret" not in error.target
    assert "Hunter2Secret" not in "".join(
        r.getMessage() for r in caplog.records if r.name.startswith("loa114.scheduler")
    )


def test_unparseable_url_is_permanent_and_masked(loatest: Recorder, message: Message) -> None:
    for target in ("khongphaiapprise://user:Pa55word99@host/x", "just some text", "tgram://"):
        with pytest.raises(DeliveryError) as caught:
            AppriseNotifier().send(target, message)
        assert caught.value.permanent is True, target
        assert "Pa55word99" not in str(caught.value)
        assert "cấu hình" in caught.value.message
    assert loatest.calls == []


@responses.activate
def test_real_http_plugin_failure_carries_status_and_hides_password(message: Message) -> None:
    responses.add(responses.POST, "http://hooks.example.com/loa", status=503, body="busy")
    with pytest.raises(DeliveryError) as caught:
        AppriseNotifier().send("json://canbo:S3cretPass@hooks.example.com/loa", message)
    assert caught.value.permanent is False
    assert "503" in caught.value.message
    assert "S3cretPass" not in str(caught.value)
    assert caught.value.target == "json://canbo:****@hooks.example.com/loa"
    payload = json.loads(responses.calls[0].request.body)
    assert (payload["title"], payload["message"]) == (message.title, message.body)


@responses.activate
def test_real_http_plugin_success(message: Message) -> None:
    responses.add(responses.POST, "http://hooks.example.com/loa", status=200)
    detail = AppriseNotifier().send("json://canbo:S3cretPass@hooks.example.com/loa", message)
    assert detail == "sent via json://canbo:****@hooks.example.com/loa"


def test_delivery_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(DeliveryError("file", "đĩa đầy", permanent=True)))
    assert (error.target, error.message, error.permanent) == ("file", "đĩa đầy", True)
    assert str(error) == "file: đĩa đầy"


def test_notifier_for_picks_the_channel(tmp_path: Path) -> None:
    chosen = notifier_for("file", tmp_path)
    assert isinstance(chosen, FileNotifier) and chosen.directory == tmp_path
    assert isinstance(notifier_for("mailto://user:pw@example.com", tmp_path), AppriseNotifier)
    assert notifier_for("file", tmp_path).name == "file"
    assert notifier_for("tgram://x/y", tmp_path).name == "apprise"


# --- printable files -----------------------------------------------------------------------------------


def test_file_notifier_writes_dated_docx_and_txt(tmp_path: Path, message: Message) -> None:
    detail = FileNotifier(tmp_path).send("file", message)
    folder = tmp_path / "2026-05-20"
    assert sorted(p.name for p in folder.iterdir()) == ["na-pan-reminder-17.docx", "na-pan-reminder-17.txt"]
    assert detail is not None and "na-pan-reminder-17.docx" in detail

    document = docx.Document(str(folder / "na-pan-reminder-17.docx"))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert paragraphs[0].text == message.title
    assert paragraphs[0].style.name == "Heading 1"
    texts = [p.text for p in paragraphs[1:]]
    body_lines = [line for line in message.body.split("\n") if line.strip()]
    assert texts == body_lines  # every line, every diacritic, nothing added
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4

    raw = (folder / "na-pan-reminder-17.txt").read_bytes()
    assert raw.startswith(BOM)
    assert raw.decode("utf-8-sig") == (message.title + "\n\n" + message.body + "\n").replace("\n", "\r\n")


def test_file_notifier_is_idempotent_and_rewrites(tmp_path: Path, message: Message) -> None:
    notifier = FileNotifier(tmp_path)
    notifier.send("file", message)
    txt = tmp_path / "2026-05-20" / "na-pan-reminder-17.txt"
    first = txt.read_bytes()
    notifier.send("file", message)
    assert txt.read_bytes() == first
    notifier.send("file", replace(message, body=message.body + "\nBổ sung."))
    assert txt.read_bytes().decode("utf-8-sig").endswith("Bổ sung.\r\n")
    assert len(list((tmp_path / "2026-05-20").iterdir())) == 2  # no temp files, no duplicates


def test_failed_write_keeps_previous_notice_and_leaves_no_temp_file(
    tmp_path: Path, message: Message, monkeypatch: pytest.MonkeyPatch
) -> None:
    notifier = FileNotifier(tmp_path)
    notifier.send("file", message)
    folder = tmp_path / "2026-05-20"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(DeliveryError) as caught:
        notifier.send("file", replace(message, body="Nội dung mới"))
    assert caught.value.permanent is False
    assert "No space left on device" in caught.value.message
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_unwritable_folder_is_transient(tmp_path: Path, message: Message) -> None:
    blocker = tmp_path / "notices"
    blocker.write_text("not a folder")
    with pytest.raises(DeliveryError) as caught:
        FileNotifier(blocker).send("file", message)
    assert caught.value.permanent is False
    assert caught.value.target == "file"


def test_notice_that_cannot_be_named_is_permanent(tmp_path: Path, message: Message) -> None:
    with pytest.raises(DeliveryError) as caught:
        FileNotifier(tmp_path).send("file", replace(message, village_id="../../etc"))
    assert caught.value.permanent is True
    assert list(tmp_path.iterdir()) == []
