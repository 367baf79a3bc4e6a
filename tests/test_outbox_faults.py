"""The outbox under faults and changing facts: every delivery ends, and a notice is true when it arrives.

Runs the real evaluation, outbox and channels (the fake Apprise gateway of test_coverage_flow stands in
for an SMS/Zalo gateway) on SQLite and PostgreSQL, with explicit datetimes.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update
from test_coverage_flow import DAY, SENT, _reset_gateway, at, open_flow, write_csv  # noqa: F401 (fixture)

from loa114.scheduler.campaign.evaluation import evaluate_all
from loa114.scheduler.campaign.listing import notices_on
from loa114.scheduler.campaign.outbox import Outbox
from loa114.scheduler.db.models import Delivery, Notice
from loa114.scheduler.notify import DeliveryError, Message, Notifier


def bodies(station, kind: str = "reminder") -> dict[str, str]:  # type: ignore[no-untyped-def]
    with station.app.db.session() as session:
        return dict(session.execute(select(Notice.village_id, Notice.body).where(Notice.kind == kind)).all())


def test_text_pasted_from_word_is_cleaned_before_any_channel_sees_it(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    evaluate_all(station.config, station.app.store, DAY, at(DAY))
    with station.app.db.session() as session:  # a body stored before cleaning existed: Word's line break
        session.execute(update(Notice).values(body="Kính gửi trưởng thôn\x0bĐề nghị báo cáo\x1b ngay.\x07"))
    results = station.app.outbox.deliver_due(at(DAY, 9, 5))
    assert {r.status for r in results} == {"sent"}
    (txt,) = [p for p in (tmp_path / "notices").rglob("na-pan-*.txt")]
    text = txt.read_bytes().decode("utf-8-sig")
    assert "Kính gửi trưởng thôn\r\nĐề nghị báo cáo ngay." in text
    assert not any(ord(ch) < 32 and ch not in "\r\n" for ch in text)
    assert all("\x0b" not in s["body"] for s in SENT)


def test_a_template_pasted_from_word_queues_clean_notices(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    templates = tmp_path / "mau"
    templates.mkdir()
    (templates / "reminder.txt").write_text(
        "---\nkind: reminder\ntitle: Nhắc thôn {{ village.name }}\n---\nThôn {{ village.name }}\x0bchậm.\x0c\n",
        encoding="utf-8",
    )
    config = station.config.model_copy(
        update={"notices": station.config.notices.model_copy(update={"templates": templates})}
    )
    evaluate_all(config, station.app.store, DAY, at(DAY))
    assert bodies(station)["na-pan"] == "Thôn Nà Pàn\nchậm."
    assert {r.status for r in station.app.outbox.deliver_due(at(DAY, 9, 5))} == {"sent"}


class Exploding(Notifier):
    name = "exploding"

    def send(self, target: str, message: Message) -> str | None:
        raise ValueError("All strings must be XML compatible")


def test_any_exception_in_a_channel_is_a_failed_attempt_with_backoff_never_a_loop(
    tmp_path: Path, db_url: str
) -> None:
    station = open_flow(tmp_path, db_url)  # max_attempts 3, retry_backoff 5 min
    evaluate_all(station.config, station.app.store, DAY, at(DAY))

    def factory(target: str, directory: Path) -> Notifier:
        return Exploding()

    outbox = Outbox(station.config, station.app.store, notifiers=factory)
    first = outbox.deliver_due(at(DAY, 9))
    assert first and {r.status for r in first} == {"pending"}
    assert all("ValueError" in (r.error or "") for r in first)
    assert outbox.deliver_due(at(DAY, 9, 4)) == []  # backing off, not looping
    outbox.deliver_due(at(DAY, 9, 5))
    final = outbox.deliver_due(at(DAY, 9, 15))
    assert final and {r.status for r in final} == {"failed"}
    assert outbox.deliver_due(at(DAY, 12)) == []
    with station.app.db.session() as session:
        rows = session.scalars(select(Delivery)).all()
        assert {(d.status, d.attempts) for d in rows} == {("failed", 3)}
        assert all("XML compatible" in (d.last_error or "") for d in rows)


def test_a_village_that_caught_up_before_delivery_is_not_reminded(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    station.import_reports(
        write_csv(tmp_path / "a.csv", ["2026-11-30,na-pan,60,200", "2026-11-30,khon-pau,90,180"]),
        at(DAY, 22),
    )
    assert [n["village"] for n in notices_on(station.config, station.app.db, DAY)] == [
        "na-pan"
    ]  # queued in quiet hours
    station.import_reports(
        write_csv(tmp_path / "b.csv", ["2026-12-01,na-pan,140,310"]), at(DAY + timedelta(days=1), 6)
    )
    results = station.app.outbox.deliver_due(at(DAY + timedelta(days=1), 7))
    assert results and {r.status for r in results} == {"cancelled"}
    assert SENT == [] and not (tmp_path / "notices").exists()
    (notice,) = notices_on(station.config, station.app.db, DAY)
    assert notice["status"] == "cancelled" and notice["cancelled_at"]
    assert notice["village_name"] == "Nà Pàn"


def test_only_reminders_of_the_current_lagging_spell_count_towards_escalation(
    tmp_path: Path, db_url: str
) -> None:
    station = open_flow(tmp_path, db_url)  # escalate after 3 reminders on different days
    lagging = ["{d},na-pan,60,200", "{d},khon-pau,95,185"]
    on_track = ["{d},na-pan,140,310", "{d},khon-pau,95,185"]
    plan = [lagging, lagging, on_track, lagging, lagging, lagging]  # 25, 26 | 27 on track | 28, 29, 30
    escalations = []
    for offset, rows in enumerate(plan):
        day = date(2026, 11, 25) + timedelta(days=offset)
        csv = write_csv(tmp_path / f"{offset}.csv", [r.format(d=day) for r in rows])
        escalations.append(len(station.import_reports(csv, at(day)).evaluation.escalations))
    # before: the 25th and 26th reminders counted with the 28th (an escalation on the 28th)
    assert escalations == [0, 0, 0, 0, 0, 1]


def test_a_fresh_install_says_no_figures_yet_never_zero_percent(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url)
    evaluate_all(station.config, station.app.store, DAY, at(DAY))  # nobody has reported yet
    for village, body in bodies(station).items():
        assert "0%" not in body and "0,0%" not in body, village
        assert "chưa gửi báo cáo" in body
    (row,) = [n for n in notices_on(station.config, station.app.db, DAY) if n["village"] == "na-pan"]
    assert row["reasons"] == ["stale"]  # unknown rates are not "behind"


def test_a_contact_named_by_role_is_addressed_once(tmp_path: Path, db_url: str) -> None:
    station = open_flow(tmp_path, db_url, escalate_after=1)
    station.import_reports(
        write_csv(tmp_path / "a.csv", ["2026-11-30,na-pan,60,200", "2026-11-30,khon-pau,95,185"]),
        at(DAY),
    )
    (body,) = bodies(station, "escalation").values()
    assert "Đồng chí Trưởng Công an xã." in body
    assert "Trưởng Công an xã, Trưởng Công an xã" not in body
    (escalation,) = [n for n in notices_on(station.config, station.app.db, DAY) if n["kind"] == "escalation"]
    assert "Trưởng Công an xã (Trưởng Công an xã)" not in {d["recipient"] for d in escalation["deliveries"]}


def test_delivery_error_type_is_exported() -> None:
    assert issubclass(DeliveryError, Exception)


def test_two_contacts_sharing_one_gateway_address_get_one_notice(tmp_path: Path, db_url: str) -> None:
    """Before: the second delivery row broke the unique key and the whole notice was silently dropped."""
    station = open_flow(tmp_path, db_url)
    path = station.app.config.source
    assert path is not None
    text = path.read_text(encoding="utf-8").replace(
        "{name: Lộc Văn Bình, role: Tổ trưởng ANTT}",
        "{name: Lộc Văn Bình, role: Tổ trưởng ANTT, notify: ['loaflow://gw/na-pan-head', file]}",
    )
    path.write_text(text, encoding="utf-8")
    from loa114.scheduler.config import load_config
    from loa114.scheduler.service.app import App
    from loa114.scheduler.service.station import Station

    station = Station(App.create(load_config(path)))
    result = evaluate_all(station.config, station.app.store, DAY, at(DAY))
    assert len(result.reminders) == 2  # both villages, nothing dropped
    (notice,) = [n for n in notices_on(station.config, station.app.db, DAY) if n["village"] == "na-pan"]
    recipients = {d["target"]: d["recipient"] for d in notice["deliveries"]}
    assert recipients == {
        "loaflow://gw/…": "Hoàng Văn Tuấn (Trưởng thôn), Lộc Văn Bình (Tổ trưởng ANTT)",
        "file": "bản in",
    }
