"""What the dashboard's pages read from central's database, as `Table`s (docs/central.md).

Every read is given the buildings the user may see (server/central/dashboard/site.py decides
from central.toml): nothing here can name another. The figures are the fold's
(`line_figures`, server/central/ingest.py) and the voice's (`survey_answers`, `bookings`,
server/central/voice.py); "waiting now" is the day's tickets whose record is waiting, as the
fold has read the building's events so far. A building's "today" is the day in its own zone.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

import psycopg

from server.central.config import CentralBuilding
from server.central.dashboard.tables import Column, Table, behind
from server.central.voice import VoiceFigures, voice_figures
from server.core.estimates import quantile

__all__ = [
    "BuildingState",
    "history",
    "overview",
    "ranking",
    "zone_tz",
]

ZONE_HOURS: Final = {"WIB": 7, "WITA": 8, "WIT": 9}


def zone_tz(zone: str | None) -> timezone:
    return timezone(timedelta(hours=ZONE_HOURS.get(zone or "WIB", 7)))


@dataclass(frozen=True, slots=True)
class BuildingState:
    id: str
    name: str  # the profile's name when the building sent one, else central.toml's
    region: str
    zone: str
    last_received: datetime | None
    lines: dict[str, dict[str, Any]]  # the profile's lines by code

    def today(self, now: datetime) -> date:
        return now.astimezone(zone_tz(self.zone)).date()

    def clock(self, instant: datetime | None) -> str:
        """ "09.41 WIB" in the building's zone."""
        if instant is None:
            return "–"
        local = instant.astimezone(zone_tz(self.zone))
        return f"{local:%d-%m-%Y %H.%M} {self.zone}"


def states(conn: psycopg.Connection, buildings: Sequence[CentralBuilding]) -> list[BuildingState]:
    known = {b.id: b for b in buildings}
    rows = conn.execute(
        "SELECT id, profile, zone, last_received_at FROM buildings WHERE id = ANY(%s) ORDER BY id",
        (list(known),),
    ).fetchall()
    out = []
    for bid, profile, zone, last in rows:
        b = known[bid]
        profile = profile or {}
        lines = {ln["line"]: ln for ln in profile.get("lines", []) if isinstance(ln, dict)}
        out.append(
            BuildingState(bid, profile.get("name") or b.name, b.region, zone or "WIB", last, lines)
        )
    return out


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _p90(values: Sequence[float]) -> float | None:
    return quantile(values, 0.9) if values else None


_VOICE_COLUMNS: Final = (
    Column("ikm", "IKM", "ikm"),
    Column("respondents", "Responden", "int"),
    Column("booked", "Booking", "int"),
    Column("checked_in", "Check-in", "int"),
    Column("lapsed", "Hangus", "int"),
)


def _voice(v: VoiceFigures | None) -> dict[str, Any]:
    return (v or VoiceFigures()).as_json()


def overview(
    conn: psycopg.Connection, buildings: Sequence[CentralBuilding], now: datetime
) -> tuple[Table, Table]:
    """Today's figures of each building and of each of its lines; behind first."""
    per_building = Table(
        "gedung-hari-ini",
        "Gedung hari ini",
        (
            Column("building", "Gedung"),
            Column("building_id", "ID"),
            Column("region", "Wilayah"),
            Column("day", "Tanggal", "date"),
            Column("issued", "Tiket", "int"),
            Column("served", "Dilayani", "int"),
            Column("waiting_now", "Menunggu", "int"),
            Column("no_show", "Tidak hadir", "int"),
            Column("wait_median_s", "Tunggu p50 (menit)", "seconds"),
            Column("wait_p90_s", "Tunggu p90 (menit)", "seconds"),
            Column("lines_behind", "Layanan tertinggal", "int"),
            Column("ikm", "IKM", "ikm"),
            Column("booked", "Booking", "int"),
            Column("last_received", "Data terakhir"),
        ),
    )
    per_line = Table(
        "layanan-hari-ini",
        "Layanan hari ini",
        (
            Column("building", "Gedung"),
            Column("building_id", "ID"),
            Column("line", "Kode"),
            Column("line_name", "Layanan"),
            Column("agency", "Instansi"),
            Column("issued", "Tiket", "int"),
            Column("served", "Dilayani", "int"),
            Column("waiting_now", "Menunggu", "int"),
            Column("no_show", "Tidak hadir", "int"),
            Column("wait_median_s", "Tunggu p50 (menit)", "seconds"),
            Column("wait_p90_s", "Tunggu p90 (menit)", "seconds"),
            Column("target_wait_s", "Standar tunggu (menit)", "seconds"),
            Column("service_median_s", "Layanan median (menit)", "seconds"),
            Column("target_service_s", "Standar layanan (menit)", "seconds"),
            *_VOICE_COLUMNS,
        ),
    )
    building_rows: list[tuple[dict[str, Any], list[str]]] = []
    line_rows: list[tuple[dict[str, Any], list[str]]] = []
    for b in states(conn, buildings):
        day = b.today(now)
        figures = {
            row[0]: dict(zip(_LINE_FIELDS, row[1:], strict=True))
            for row in conn.execute(
                "SELECT line, " + ", ".join(_LINE_FIELDS) + " FROM line_figures "
                "WHERE building = %s AND day = %s",
                (b.id, day),
            )
        }
        waiting = dict(
            conn.execute(
                "SELECT line, count(*) FROM tickets WHERE building = %s AND day = %s "
                "AND state = 'waiting' GROUP BY line",
                (b.id, day),
            ).fetchall()
        )
        waits = [
            w
            for (ws,) in conn.execute(
                "SELECT waits FROM ticket_lines WHERE building = %s AND day = %s", (b.id, day)
            )
            for w in ws
        ]
        voice = {line: v for (_b, _d, line), v in voice_figures(conn, [b.id], day, day).items()}
        lines_behind = 0
        for line in sorted(figures.keys() | waiting.keys() | voice.keys()):
            f = figures.get(line) or dict.fromkeys(_LINE_FIELDS)
            profile = b.lines.get(line, {})
            row = {
                "building": b.name,
                "building_id": b.id,
                "line": line,
                "line_name": f["name"] or profile.get("name"),
                "agency": f["agency"] or profile.get("agency"),
                **{k: f[k] for k in _LINE_FIELDS if k not in ("name", "agency")},
                "issued": f["issued"] or 0,
                "served": f["served"] or 0,
                "no_show": f["no_show"] or 0,
                "waiting_now": waiting.get(line, 0),
                **_voice(voice.get(line)),
            }
            reasons = behind(row)
            lines_behind += bool(reasons)
            line_rows.append((row, reasons))
        respondents = sum(v.respondents for v in voice.values())
        ikm_weighted = sum(v.ikm * v.respondents for v in voice.values() if v.ikm is not None)
        brow = {
            "building": b.name,
            "building_id": b.id,
            "region": b.region,
            "day": day,
            "issued": sum((f["issued"] or 0) for f in figures.values()),
            "served": sum((f["served"] or 0) for f in figures.values()),
            "waiting_now": sum(waiting.values()),
            "no_show": sum((f["no_show"] or 0) for f in figures.values()),
            "wait_median_s": _median(waits),
            "wait_p90_s": _p90(waits),
            "lines_behind": lines_behind,
            "ikm": ikm_weighted / respondents if respondents else None,
            "booked": sum(v.booked for v in voice.values()),
            "last_received": b.clock(b.last_received),
        }
        reasons = [f"{lines_behind} layanan di bawah standar"] if lines_behind else []
        building_rows.append((brow, reasons))
    for row, reasons in sorted(building_rows, key=lambda r: (-r[0]["lines_behind"],
                                                              r[0]["building"])):  # fmt: skip
        per_building.add(row, reasons)
    for row, reasons in sorted(line_rows, key=lambda r: (not r[1], r[0]["building"],
                                                          r[0]["line"])):  # fmt: skip
        per_line.add(row, reasons)
    return per_building, per_line


_LINE_FIELDS: Final = (
    "name",
    "agency",
    "issued",
    "served",
    "no_show",
    "waits",
    "wait_median_s",
    "wait_p90_s",
    "target_wait_s",
    "waits_within_target",
    "service_median_s",
    "target_service_s",
)


def history(conn: psycopg.Connection, building: CentralBuilding, first: date, last: date) -> Table:
    """One building's figures per day and line, newest day first."""
    table = Table(
        f"riwayat-{building.id}-{first.isoformat()}-{last.isoformat()}",
        "Riwayat per hari dan layanan",
        (
            Column("day", "Tanggal", "date"),
            Column("line", "Kode"),
            Column("line_name", "Layanan"),
            Column("agency", "Instansi"),
            Column("issued", "Tiket", "int"),
            Column("served", "Dilayani", "int"),
            Column("no_show", "Tidak hadir", "int"),
            Column("wait_median_s", "Tunggu p50 (menit)", "seconds"),
            Column("wait_p90_s", "Tunggu p90 (menit)", "seconds"),
            Column("target_wait_s", "Standar tunggu (menit)", "seconds"),
            Column("waits_within_pct", "Tunggu sesuai standar", "pct"),
            Column("service_median_s", "Layanan median (menit)", "seconds"),
            Column("target_service_s", "Standar layanan (menit)", "seconds"),
            *_VOICE_COLUMNS,
            Column("cancelled", "Dibatalkan", "int"),
        ),
    )
    figures = {
        (row[0], row[1]): dict(zip(_LINE_FIELDS, row[2:], strict=True))
        for row in conn.execute(
            "SELECT day, line, " + ", ".join(_LINE_FIELDS) + " FROM line_figures "
            "WHERE building = %s AND day BETWEEN %s AND %s",
            (building.id, first, last),
        )
    }
    voice = {
        (day, line): v
        for (_b, day, line), v in voice_figures(conn, [building.id], first, last).items()
    }
    profile_row = conn.execute(
        "SELECT profile FROM buildings WHERE id = %s", (building.id,)
    ).fetchone()
    lines = {ln["line"]: ln for ln in ((profile_row and profile_row[0]) or {}).get("lines", [])}
    for day, line in sorted(figures.keys() | voice.keys(), key=lambda k: (-k[0].toordinal(),
                                                                        k[1])):  # fmt: skip
        f = figures.get((day, line)) or dict.fromkeys(_LINE_FIELDS)
        within, waits = f["waits_within_target"], f["waits"]
        row = {
            "day": day,
            "line": line,
            "line_name": f["name"] or lines.get(line, {}).get("name"),
            "agency": f["agency"] or lines.get(line, {}).get("agency"),
            **{k: f[k] for k in _LINE_FIELDS if k not in ("name", "agency")},
            "issued": f["issued"] or 0,
            "served": f["served"] or 0,
            "no_show": f["no_show"] or 0,
            "waits_within_pct": within / waits * 100 if within is not None and waits else None,
            **_voice(voice.get((day, line))),
        }
        table.add(row, behind(row))
    return table


def ranking(
    conn: psycopg.Connection, buildings: Sequence[CentralBuilding], first: date, last: date
) -> Table:
    """Every line of the buildings, by its wait p90 against its wait target, worst first."""
    table = Table(
        f"peringkat-{first.isoformat()}-{last.isoformat()}",
        "Peringkat layanan menurut waktu tunggu terhadap standar",
        (
            Column("rank", "No.", "int"),
            Column("building", "Gedung"),
            Column("building_id", "ID"),
            Column("line", "Kode"),
            Column("line_name", "Layanan"),
            Column("agency", "Instansi"),
            Column("waits", "Jumlah tunggu", "int"),
            Column("wait_median_s", "Tunggu p50 (menit)", "seconds"),
            Column("wait_p90_s", "Tunggu p90 (menit)", "seconds"),
            Column("target_wait_s", "Standar tunggu (menit)", "seconds"),
            Column("p90_vs_target", "p90 / standar", "ratio"),
            Column("waits_within_pct", "Tunggu sesuai standar", "pct"),
        ),
    )
    known = {b.id: b for b in states(conn, buildings)}
    waits: dict[tuple[str, str], list[float]] = defaultdict(list)
    for bid, line, ws in conn.execute(
        "SELECT building, line, waits FROM ticket_lines "
        "WHERE building = ANY(%s) AND day BETWEEN %s AND %s",
        (list(known), first, last),
    ):
        waits[(bid, line)].extend(ws)
    rows = []
    for (bid, line), ws in waits.items():
        if not ws:
            continue
        b = known[bid]
        profile = b.lines.get(line, {})
        target = profile.get("target_wait_s")
        target = None if target is None else float(target)
        p90 = _p90(ws)
        rows.append(
            {
                "building": b.name,
                "building_id": bid,
                "line": line,
                "line_name": profile.get("name"),
                "agency": profile.get("agency"),
                "waits": len(ws),
                "wait_median_s": _median(ws),
                "wait_p90_s": p90,
                "target_wait_s": target,
                "p90_vs_target": p90 / target if target and p90 is not None else None,
                "waits_within_pct": (
                    sum(w <= target for w in ws) / len(ws) * 100 if target else None
                ),
            }
        )
    rows.sort(
        key=lambda r: (r["p90_vs_target"] is None, -(r["p90_vs_target"] or 0),
                       -(r["wait_p90_s"] or 0), r["building"], r["line"])
    )  # fmt: skip
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        table.add(row, behind(row))
    return table
