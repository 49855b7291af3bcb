"""The floor manager's alerts: every condition that holds now, each with the instant it started.

Conditions that start with the passing of time (a wait crossing its threshold, a pause running
too long, a service far over its target) get that instant computed; conditions that start with
an event (a line left without an open counter, a printer out of paper) take the first time they
were seen, which the model remembers in `FloorModel.alert_starts` and which `FloorModel.handle`
refreshes after every frame, at the event's own time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from display.floor_closures import ago_words, closure_rows
from display.floor_complaints import Due, category_words
from display.floor_figures import counter_figures
from server.protocol import format_clock, format_clock_in_zone, format_date_time

if TYPE_CHECKING:
    from display.floor_model import FloorModel

__all__ = ["Alert", "AlertKind", "find_alerts"]

_PRINTER_PROBLEMS = {
    "near_end": "kertas hampir habis",
    "paper_out": "kertas habis",
    "offline": "tidak terhubung",
    "error": "galat",
}


class AlertKind(StrEnum):
    WAIT = "tunggu"
    SERVICE = "layanan"
    UNSTAFFED = "tanpa_loket"
    PAUSED = "jeda"
    PRINTER = "printer"
    SILENT = "perangkat"
    PIN = "pin"  # someone is guessing an officer's or manager's PIN
    COMPLAINT = "pengaduan"  # a complaint's deadline is near (yellow) or past (red)
    DELIVERY = "pengiriman"  # a webhook or central has been failing too long (issue 21)
    CLOSURE = "tutup"  # an officer asks to close their counter (issue 23)


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    subject: str  # the line prefix, counter id or device id it is about
    started: datetime
    message: str  # Indonesian, for the manager
    severe: bool = True


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _mins(seconds: float) -> str:
    return f"{int(seconds // 60)} mnt"


def find_alerts(model: FloorModel, now: datetime) -> list[Alert]:
    """Every condition that holds now, oldest first; each with the instant it started."""
    s = model.settings
    found: list[Alert] = []
    by_line: dict[str, list[Any]] = defaultdict(list)
    for t in model.tickets.values():
        if t.state == "waiting":
            by_line[t.line].append(t)
    open_lines = {
        p
        for cd in model.counter_defs()
        if (c := model.counters.get(cd["id"])) is not None and c.state == "open"
        for p in cd.get("serves", [])
    }
    for ln in model.line_defs():
        prefix, waiting = ln["prefix"], by_line.get(ln["prefix"], [])
        if not waiting:
            continue
        oldest = min(t.queued_at for t in waiting)
        limit = model.wait_threshold_s(ln)
        if (now - oldest).total_seconds() > limit:
            found.append(
                Alert(
                    AlertKind.WAIT,
                    prefix,
                    oldest + timedelta(seconds=limit),
                    f"Layanan {prefix}: tunggu terlama {_mins((now - oldest).total_seconds())}"
                    f", melewati batas {_mins(limit)}",
                )
            )
        if prefix not in open_lines:
            # Seen first in a snapshot, it started when the oldest citizen still waiting came
            # or when the line's last counter stopped being open, whichever was later.
            left = [
                c.since
                for cd in model.counter_defs()
                if prefix in cd.get("serves", [])
                and (c := model.counters.get(cd["id"])) is not None
                and c.since is not None
            ]
            found.append(
                _seen_alert(
                    model,
                    AlertKind.UNSTAFFED,
                    prefix,
                    min(now, max([oldest, *left])),
                    f"Layanan {prefix}: {len(waiting)} warga menunggu, tidak ada loket buka",
                )
            )
    targets = {
        ln["prefix"]: float(ln.get("target_service_min") or 10.0) for ln in model.line_defs()
    }
    for c in counter_figures(model):
        counter = model.counters.get(c.id)
        if counter is None:
            continue
        active = model.tickets.get(counter.ticket) if counter.ticket else None
        if active is not None and active.state == "serving" and active.started_at:
            limit = s.service_over_factor * targets.get(active.line, 10.0) * 60.0
            took = (now - active.started_at).total_seconds()
            if took > limit:
                found.append(
                    Alert(
                        AlertKind.SERVICE,
                        c.id,
                        active.started_at + timedelta(seconds=limit),
                        f"{c.name}: melayani {active.number} selama {_mins(took)} "
                        f"(target {_mins(targets.get(active.line, 10.0) * 60)})",
                        severe=False,
                    )
                )
        if c.state == "paused" and c.since is not None:
            limit = s.pause_alert_min * 60.0
            took = (now - c.since).total_seconds()
            if took > limit:
                found.append(
                    Alert(
                        AlertKind.PAUSED,
                        c.id,
                        c.since + timedelta(seconds=limit),
                        f"{c.name}: jeda ({c.pause_reason or '-'}) sudah {_mins(took)}",
                        severe=False,
                    )
                )
    for kiosk, report in sorted(model.printers.items()):
        status = report.get("status")
        if status in _PRINTER_PROBLEMS:
            found.append(
                _seen_alert(
                    model,
                    AlertKind.PRINTER,
                    kiosk,
                    _dt(report.get("at")) or now,
                    f"Printer {kiosk}: {_PRINTER_PROBLEMS[status]}",
                    severe=status != "near_end",
                    exact=True,
                )
            )
    for device_id, d in sorted(model.devices.items()):
        since = _dt(d.get("since"))
        silent = not d.get("connected", True) and since is not None
        if silent and (now - since).total_seconds() >= s.silent_after_s:  # type: ignore[operator]
            label = "Anjungan" if d.get("kind") == "kiosk" else "Layar"
            found.append(
                Alert(
                    AlertKind.SILENT,
                    device_id,
                    since,
                    f"{label} {device_id} tidak terhubung sejak "
                    f"{format_clock(since.astimezone(model.tz))}",
                )
            )
    found.extend(_pin_alerts(model, now))
    found.extend(_complaint_alerts(model, now))
    found.extend(_delivery_alerts(model, now))
    found.extend(_closure_alerts(model, now))
    live = {(a.kind, a.subject) for a in found}
    for key in [k for k in model.alert_starts if k not in live]:
        del model.alert_starts[key]
    found.sort(key=lambda a: (a.started, a.kind, a.subject))
    return found


def _seen_alert(
    model: FloorModel,
    kind: AlertKind,
    subject: str,
    now: datetime,
    message: str,
    *,
    severe: bool = True,
    exact: bool = False,
) -> Alert:
    """An alert whose start is the first time it was seen (or `now` when `exact`)."""
    key = (kind, subject)
    if exact:
        model.alert_starts[key] = now
    started = model.alert_starts.setdefault(key, now)
    return Alert(kind, subject, started, message, severe)


def _pin_alerts(model: FloorModel, now: datetime) -> list[Alert]:
    """Each id being guessed: how many wrong PINs from which addresses (the server never sends
    a PIN); gone once the server would forget the tries (`forget_at`)."""
    zone = model.building.get("timezone", "")
    out = []
    for g in model.pin_guessing:
        started, forget = _dt(g.get("first_at")), _dt(g.get("forget_at"))
        if started is None or (forget is not None and forget <= now):
            continue
        sources = ", ".join(
            f"{s.get('address')} ({s.get('failures')} kali"
            + (", perangkat dikenal" if s.get("known_device") else "")
            + ")"
            for s in g.get("sources", [])
        )
        who = f"{g.get('person')} ({g.get('name')})"
        text = f"PIN {who} salah {g.get('failures')} kali, dari {sources}"
        held = _dt(g.get("new_devices_held_until"))
        if held is not None and held > now:
            until = format_clock_in_zone(held.astimezone(model.tz), zone)
            text += f"; perangkat baru ditahan sampai {until}"
        out.append(Alert(AlertKind.PIN, str(g.get("person")), started, text))
    return out


def _complaint_alerts(model: FloorModel, now: datetime) -> list[Alert]:
    """Each open complaint whose deadline to be taken in hand or answered is within the
    building's `warn_days` working days (from the end of the working day that many before it)
    or past (from the deadline): "Pengaduan ADU-261123-001 (Dukcapil · Perilaku petugas): belum
    diproses, batas Kamis, 26 November 2026 · 23.59 WIB"."""
    zone = model.building.get("timezone", "")
    names = model.agency_names()
    out = []
    for row in model.complaint_rows(now):
        if row.due not in (Due.SOON, Due.OVERDUE) or row.deadline is None:
            continue
        c = row.complaint
        about = " · ".join(
            x for x in (names.get(c.agency or "", c.agency), category_words(c.category)) if x
        )
        when = format_date_time(row.deadline.astimezone(model.tz), zone)
        if row.due is Due.OVERDUE:
            text, started = f"lewat batas {row.step} ({when})", row.deadline
        else:
            text, started = f"belum {row.step}, batas {when}", row.warn_at or now
        out.append(
            Alert(
                AlertKind.COMPLAINT,
                c.id,
                started,
                f"Pengaduan {c.id} ({about}): {text}",
                severe=row.due is Due.OVERDUE,
            )
        )
    return out


def _delivery_alerts(model: FloorModel, now: datetime) -> list[Alert]:
    """Each destination failing longer than its `alert_after_minutes` (the server says which),
    until it has caught up: "Pengiriman ke PORTAL-KAB gagal sejak 09.12 WIB, 1.240 peristiwa
    tertunda"; once it works again, "… pulih, 1.240 peristiwa belum terkirim"."""
    zone = model.building.get("timezone", "")
    out = []
    for d in model.delivery_alerts:
        since = _dt(d.get("failing_since"))
        backlog = _count(int(d.get("backlog") or 0))
        name = "pusat" if d.get("kind") == "central" else str(d.get("id"))
        if since is not None:
            clock = format_clock_in_zone(since.astimezone(model.tz), zone)
            text = f"Pengiriman ke {name} gagal sejak {clock}, {backlog} peristiwa tertunda"
        else:
            text = f"Pengiriman ke {name} pulih, {backlog} peristiwa belum terkirim"
        started = since or model.alert_starts.setdefault((AlertKind.DELIVERY, name), now)
        out.append(Alert(AlertKind.DELIVERY, name, started, text, severe=since is not None))
    return out


def _count(n: int) -> str:
    """A count as Indonesian writes it: 1.240."""
    return f"{n:,}".replace(",", ".")


def _closure_alerts(model: FloorModel, now: datetime) -> list[Alert]:
    """Each closure request awaiting the manager, from the instant it was asked: "Permintaan
    tutup loket: Loket 3 (Dukcapil, Siti Rahmawati) — Gangguan sistem instansi — 4 menit";
    red when closing would leave citizens waiting with no open counter for their line, yellow
    otherwise. An approved request is no longer asked for: the counters table says it."""
    out = []
    for row in closure_rows(model, now):
        r = row.request
        if r.approved:
            continue
        who = ", ".join(x for x in (row.agency, row.officer_words) if x)
        text = (
            f"Permintaan tutup loket: {row.counter_name} ({who}) — {r.reason} — "
            f"{ago_words(row.ago_s)}"
        )
        out.append(Alert(AlertKind.CLOSURE, r.counter, r.requested_at, text, bool(row.left_alone)))
    return out
