"""The figures as JSON: the same numbers the DOCX, the XLSX and the web page show."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from loa114.scheduler.reports.difficulties import section_iv
from loa114.scheduler.reports.figures import ReportFigures
from loa114.scheduler.reports.wording import village_status


def to_json(figures: ReportFigures, difficulties: str = "", proposals: str = "") -> dict[str, Any]:
    """Sections IV and V as the DOCX has them, except that a section with nothing in it is "" here.
    `village_difficulties` lists what the villages wrote, whether or not the police kept it."""
    p, totals = figures.propaganda, figures.totals
    return {
        "commune": figures.commune,
        "province": figures.province,
        "period": {
            "kind": figures.period.kind,
            "first": figures.period.first.isoformat(),
            "last": figures.period.last.isoformat(),
            "title": figures.period.title,
        },  # fmt: skip
        "generated_at": figures.generated_at.isoformat(timespec="seconds"),
        "has_data": figures.has_data,
        "propaganda": {
            "by_slot_and_zone": [asdict(t) for t in p.tallies],
            "total": asdict(p.total),
            "reasons": [{"reason": r, "count": n} for r, n in p.reasons],
            "scripts": [{"script_id": s, "title": t, "times": n} for s, t, n in p.scripts],
            "alerts": p.alerts,
            "reminders_sent": p.reminders_sent,
            "escalations_sent": p.escalations_sent,
        },
        "installation": {
            "villages": [
                {
                    "id": v.id,
                    "name": v.name,
                    "households": v.households,
                    "households_installed": v.households_installed,
                    "household_rate": v.household_rate if v.reported else None,
                    "smartphone_users": v.smartphone_users,
                    "installs": v.installs,
                    "install_rate": v.install_rate if v.reported else None,
                    "expected_rate": v.expected_rate,
                    "last_report": v.last_report.isoformat() if v.last_report else None,
                    "reasons": list(v.reasons),
                    "status": village_status(v),
                }  # fmt: skip
                for v in figures.villages
            ],
            "totals": {
                "households": totals.households,
                "households_installed": totals.households_installed,
                "household_rate": totals.household_rate,
                "smartphone_users": totals.smartphone_users,
                "installs": totals.installs,
                "install_rate": totals.install_rate,
                "expected_rate": totals.expected_rate,
                "villages_reported": totals.villages_reported,
                "villages_total": totals.villages_total,
            },  # fmt: skip
            "trajectory": [
                {"date": d.isoformat(), "household_rate": r, "expected_rate": e}
                for d, r, e in figures.trajectory
            ],  # fmt: skip
        },
        "safety": [asdict(s) for s in figures.safety],
        "village_difficulties": [
            {
                "village": d.village_id,
                "village_name": d.village_name,
                "date": d.day.isoformat(),
                "text": d.text,
            }
            for d in figures.difficulties
        ],
        "difficulties": section_iv(difficulties, figures.difficulties, nothing=""),
        "proposals": proposals.strip(),
    }
