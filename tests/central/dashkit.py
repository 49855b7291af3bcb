"""The dashboard's tests' material: users, a day written by hand, and a logged-in HTTP client.

The day (today, WIB), its events written from docs/protocol.md's delivery format by hand, and its
figures worked out by hand (the expectation never comes from central's code):

MPP Kota Contoh (region "Kota Contoh"), profile targets: line A wait 10 min, service 5 min;
line B wait 30 min, service 15 min. Every ticket prints the instant it is issued.

    A-001 issued 08:00, called 08:05 (wait 5 min), served 08:05–08:10 (5 min)
    A-002 issued 08:00, called 08:15 (wait 15 min), served 08:15–08:25 (10 min)
    A-003 issued 08:00, called 08:20 (wait 20 min), no-show 08:22
    A-004 issued 08:30, still waiting
    B-001 issued 08:00, called 08:10 (wait 10 min), served 08:10–08:20 (10 min)

    line A: 4 tickets, 2 served, 1 no-show, 1 waiting now; waits 5, 15, 20 min: p50 15,0,
            p90 (nearest rank, the 3rd of 3) 20,0 > 10,0 → behind; service median of 5 and 10
            = 7,5 > 5,0 → behind.
    line B: 1 ticket, 1 served; wait 10,0 ≤ 30,0, service 10,0 ≤ 15,0 → within standard.

MPP Kabupaten Contoh (region "Kabupaten Contoh"): line A, one ticket waiting 1 min, served 2 min.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from centraltest import BUILDING, KEY, OTHER, OTHER_KEY, central_toml, signed

from server.auth import hash_password

WIB = timezone(timedelta(hours=7))
PASSWORDS = {
    "provinsi": "sandi-provinsi-2026",
    "kota": "sandi-kota-contoh-1",
    "kabupaten": "sandi-kabupaten-1",
}
# A building or line name is the building's to write, and arrives in its profile: markup and a
# spreadsheet formula must stay text on every page and in every CSV.
EVIL_LINE = '=HYPERLINK("http://jahat.example","klik")<img src=x onerror="window.__pwned=1">'
EVIL_BUILDING = "<script>window.__pwned=2</script>MPP Kabupaten Contoh"


def today() -> date:
    return datetime.now(WIB).date()


def dashboard_toml(tmp: Path, database: str) -> Path:
    """central.toml with the two buildings and three users: one sees all, one each region."""
    path = central_toml(tmp, database)
    users = "".join(
        f'\n[[users]]\nid = "{uid}"\nname = "{name}"\n'
        f'password_hash = "{hash_password(PASSWORDS[uid], n=2**8)}"\n{scope}\n'
        for uid, name, scope in (
            ("provinsi", "Biro Organisasi Provinsi", 'scope = "all"'),
            ("kota", "Dinas PMPTSP Kota Contoh", 'region = "Kota Contoh"'),
            ("kabupaten", "Dinas PMPTSP Kabupaten Contoh", 'region = "Kabupaten Contoh"'),
        )
    )
    path.write_text(path.read_text() + users)
    return path


@dataclass
class Day:
    """A building's events as it would deliver them, numbered from 1."""

    building: str
    day: date
    events: list[dict[str, Any]]

    def add(self, hhmm: str, kind: str, actor: str = "kiosk:K01", **data: Any) -> None:
        at = datetime.combine(self.day, datetime.strptime(hhmm, "%H:%M").time(), WIB)
        seq = len(self.events) + 1
        self.events.append(
            {"id": f"{self.building}:{seq}", "seq": seq, "type": kind, "at": at.isoformat(),
             "day": self.day.isoformat(), "actor": actor, "data": data}
        )  # fmt: skip

    def ticket(self, number: str, issued: str, line: str) -> str:
        tid = f"{self.day}-{number}"
        n = int(number.split("-")[1])
        self.add(issued, "ticket_issued", ticket=tid, day=self.day.isoformat(), number=number,
                 seq=n, line=line, priority=None, kiosk="K01")  # fmt: skip
        self.add(issued, "ticket_printed", ticket=tid)
        return tid

    def served(self, tid: str, number: str, line: str, called: str, done: str) -> None:
        self.add(called, "ticket_called", "counter:L01", ticket=tid, number=number, line=line,
                 counter="L01", reason="fifo")  # fmt: skip
        self.add(called, "service_started", "counter:L01", ticket=tid, counter="L01")
        self.add(done, "service_finished", "counter:L01", ticket=tid, counter="L01")

    def body(self, events: list[dict[str, Any]] | None = None) -> bytes:
        chosen = self.events if events is None else events
        return json.dumps({"building": self.building, "zone": "WIB", "events": chosen}).encode()


def kota_day(day: date) -> Day:
    d = Day(BUILDING, day, [])
    a1, a2, a3 = (d.ticket(f"A-00{i}", "08:00", "A") for i in (1, 2, 3))
    b1 = d.ticket("B-001", "08:00", "B")
    d.served(a1, "A-001", "A", "08:05", "08:10")
    d.served(b1, "B-001", "B", "08:10", "08:20")
    d.served(a2, "A-002", "A", "08:15", "08:25")
    d.add("08:20", "ticket_called", "counter:L01", ticket=a3, number="A-003", line="A",
          counter="L01", reason="fifo")  # fmt: skip
    d.add("08:22", "ticket_no_show", "counter:L01", ticket=a3, counter="L01")
    d.ticket("A-004", "08:30", "A")
    return d


def kabupaten_day(day: date) -> Day:
    d = Day(OTHER, day, [])
    t = d.ticket("A-001", "09:00", "A")
    d.served(t, "A-001", "A", "09:01", "09:03")
    return d


def profile(building: str, name: str, lines: list[tuple[str, str, float, float]]) -> bytes:
    return json.dumps(
        {
            "building": building,
            "name": name,
            "zone": "WIB",
            "digest": "sha256:test",
            "agencies": [{"code": "DKP", "name": "Dinas Kependudukan"}],
            "lines": [
                {"line": code, "name": line_name, "agency": "DKP",
                 "target_wait_s": wait_min * 60, "target_service_s": service_min * 60}
                for code, line_name, wait_min, service_min in lines
            ],
        }
    ).encode()  # fmt: skip


KOTA_PROFILE = (BUILDING, "MPP Kota Contoh", [("A", "Perekaman KTP-el", 10, 5),
                                              ("B", EVIL_LINE, 30, 15)])  # fmt: skip
KABUPATEN_PROFILE = (OTHER, EVIL_BUILDING, [("A", "Perekaman KTP-el", 10, 5)])


def send(port: int, method: str, path: str, body: bytes, building: str) -> dict:
    key = KEY if building == BUILDING else OTHER_KEY
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=signed(body, key, building))
        answer = conn.getresponse()
        data = answer.read()
        assert answer.status == 200, (answer.status, data)
        return json.loads(data)
    finally:
        conn.close()


def deliver_all(port: int) -> None:
    """Both buildings' profiles and today's events, through central's real HTTP ingest."""
    send(port, "PUT", "/central/v1/profile", profile(*KOTA_PROFILE), BUILDING)
    send(port, "PUT", "/central/v1/profile", profile(*KABUPATEN_PROFILE), OTHER)
    send(port, "POST", "/central/v1/events", kota_day(today()).body(), BUILDING)
    send(port, "POST", "/central/v1/events", kabupaten_day(today()).body(), OTHER)


class Client:
    """A plain HTTP client that keeps central's cookies, as a browser would (no script)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path, b"", headers)

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = dict(headers or {})
            if self.cookies:
                sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
            got = {k.lower(): v for k, v in answer.getheaders()}
            cookie = got.get("set-cookie")
            if cookie:
                name, _, value = cookie.split(";")[0].partition("=")
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
            return answer.status, got, data
        finally:
            conn.close()

    def login(self, user: str, password: str | None = None) -> int:
        _status, _h, page = self.get("/masuk")
        token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
        form = f"token={token}&pengguna={user}&sandi={password or PASSWORDS[user]}".encode()
        status, _h, _b = self.request(
            "POST", "/masuk", form,
            {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": f"http://127.0.0.1:{self.port}"},
        )  # fmt: skip
        return status
