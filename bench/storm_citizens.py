"""The booking storm's citizens (bench/storm.py): who they are, and how each one books.

`plan_storm` draws the attempts; `_attempt` is the one function that knows the path, the public
booking pages: a citizen's form was opened before (`_open_form`: `GET /pesan?…`, its cookie and
token), the attempt is its `POST /pesan`, each request on a connection of its own, behind the
building's trusted proxy with the citizen's address in `X-Forwarded-For`.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from urllib.parse import urlencode

from bench.building import STORM_LINE
from bench.common import gather_limited
from server.core.events import PriorityGroup

__all__ = [
    "Attempt",
    "Form",
    "Outcome",
    "fire",
    "one_by_one",
    "open_forms",
    "plan_storm",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class Attempt:
    n: int  # 1.. in the order the bench fires them
    at_s: float  # when, from the storm's start
    slot: clock_time
    priority: PriorityGroup | None
    nik: str
    phone: str  # "0812…": every attempt its own, the key of the server's arrival log
    name: str
    broker: bool  # its NIK is used by more than one attempt
    address: str  # the citizen's (X-Forwarded-For): a broker's attempts share their NIK's


def _nik(rng: random.Random, k: int) -> str:
    """The k-th citizen's NIK (k < 9999): Kota Bandung (32 73), a district, a birth date (a
    woman's day + 40), and the serial k + 1, which alone makes it unique."""
    day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
    born = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}"
    return f"3273{rng.randint(1, 30):02d}{born}{k + 1:04d}"


def plan_storm(
    attempts: int,
    seconds: float,
    slots: Sequence[clock_time],
    *,
    broker_niks: int = 100,
    per_broker: int = 5,
    priority_share: float = 0.1,
    seed: int = 19,
) -> list[Attempt]:
    """The storm's attempts in firing order (module docstring): evenly spaced over `seconds`,
    `broker_niks` × `per_broker` of them on brokers' NIKs, the rest each on its own."""
    rng = random.Random(seed)
    by_broker = set(rng.sample(range(attempts), broker_niks * per_broker))
    broker_seats = [b for b in range(broker_niks) for _ in range(per_broker)]
    rng.shuffle(broker_seats)
    niks = [_nik(rng, k) for k in range(attempts)]  # citizens 0.. own, brokers take the last
    weights = [2.0 - i / max(1, len(slots) - 1) for i in range(len(slots))]
    groups = list(PriorityGroup)
    out = []
    own = 0
    for i in range(attempts):
        if i in by_broker:
            seat = broker_seats.pop()
            nik, broker, address = (
                niks[attempts - 1 - seat],
                True,
                f"10.9.{seat // 250}.{seat % 250}",
            )
        else:
            nik, broker, address = (
                niks[own],
                False,
                f"10.{own // 62500}.{own // 250 % 250}.{own % 250}",
            )
            own += 1
        out.append(
            Attempt(
                n=i + 1,
                at_s=i * seconds / attempts,
                slot=rng.choices(slots, weights)[0],
                priority=rng.choice(groups) if rng.random() < priority_share else None,
                nik=nik,
                phone=f"0812{i + 1:08d}",
                name=f"Warga Uji {i + 1}",
                broker=broker,
                address=address,
            )
        )
    return out


@dataclass(slots=True)
class Outcome:
    attempt: Attempt
    started: float = 0.0  # time.monotonic() before the POST's connect
    sent: float = 0.0  # the POST written
    done: float = 0.0  # its answer read
    booked: str | None = None  # the booking code, read from the page the 303 leads to
    refused: str | None = None  # the refusal the 409 page states
    error: str | None = None  # anything else: what went wrong on the way
    page_s: float = 0.0  # the booking's page, after the 303 (as a browser follows it)


@dataclass(frozen=True, slots=True)
class Form:
    """A citizen's open booking form: the cookie it came with and its token."""

    cookie: str
    csrf: str
    opened_s: float  # GET to the page read


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_COOKIE = re.compile(r"antre_form=([A-Za-z0-9_-]+)")
_CODE = re.compile(r'id="code">([A-Z0-9]{4})-([A-Z0-9]{4})<')
_NOTICE = re.compile(r'id="notice"[^>]*>([^<]*)<')
# What the 409 page says, as the core words it (server/core/errors.py): the refusal a citizen reads.
_REFUSAL_WORDS = (("sudah penuh", "slot_full"), ("NIK ini sudah dipakai", "booking_nik_taken"))


def _head(method: str, target: str, port: int, a: Attempt, extra: str = "") -> str:
    return (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"X-Forwarded-For: {a.address}\r\nConnection: close\r\n{extra}\r\n"
    )


async def _request(port: int, request: bytes) -> tuple[int, dict[str, str], str, float]:
    """One request on its own connection (the server answers one and closes): the status, the
    headers (lower-case names), the body, and when the request had been written."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        sent = time.monotonic()
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body.decode("utf-8", "replace"), sent


def _form_target(day: date, a: Attempt) -> str:
    query = {"layanan": STORM_LINE, "tanggal": day.isoformat(), "jam": f"{a.slot:%H:%M}"}
    return "/pesan?" + urlencode(query)


async def _open_form(port: int, day: date, a: Attempt) -> Form:
    """The citizen opens the slot's form: its cookie and token (RuntimeError when no form)."""
    t0 = time.monotonic()
    status, headers, body, _ = await _request(
        port, _head("GET", _form_target(day, a), port, a).encode()
    )
    cookie, csrf = _COOKIE.search(headers.get("set-cookie", "")), _CSRF.search(body)
    if status != 200 or cookie is None or csrf is None:
        raise RuntimeError(f"no booking form for attempt {a.n}: HTTP {status}")
    return Form(cookie.group(1), csrf.group(1), time.monotonic() - t0)


async def _attempt(port: int, day: date, a: Attempt, form: Form) -> Outcome:
    """One citizen submits the form (module docstring): booked (303, then its page), refused
    (409 and the page's words) or anything else (an error)."""
    out = Outcome(a, started=time.monotonic())
    fields = {
        "csrf": form.csrf,
        "layanan": STORM_LINE,
        "tanggal": day.isoformat(),
        "jam": f"{a.slot:%H:%M}",
        "nama": a.name,
        "nik": a.nik,
        "hp": a.phone,
        "prioritas": a.priority.value if a.priority else "",
    }
    body = urlencode(fields).encode()
    head = _head(
        "POST",
        "/pesan",
        port,
        a,
        f"Origin: http://127.0.0.1:{port}\r\nCookie: antre_form={form.cookie}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n",
    )
    try:
        status, headers, page, out.sent = await _request(port, head.encode() + body)
        out.done = time.monotonic()
        if status == 303:
            t0 = time.monotonic()
            target = headers.get("location", "")
            status, _, page, _ = await _request(port, _head("GET", target, port, a).encode())
            out.page_s = time.monotonic() - t0
            code = _CODE.search(page)
            if status == 200 and code is not None:
                out.booked = code.group(1) + code.group(2)
            else:
                out.error = f"booked, but its page answered HTTP {status}"
        elif status == 409:
            notice = _NOTICE.search(page)
            words = notice.group(1) if notice else ""
            out.refused = next((c for w, c in _REFUSAL_WORDS if w in words), f"other: {words!r}")
        else:
            out.error = f"HTTP {status}"
    except OSError as exc:
        out.error = f"{type(exc).__name__}: {exc}"
    return out


async def open_forms(port: int, day: date, plan: list[Attempt]) -> tuple[list[Form], float]:
    """Every citizen's form, 50 at a time, before the storm: (forms, seconds)."""
    t0 = time.monotonic()
    forms = await gather_limited([lambda a=a: _open_form(port, day, a) for a in plan], 50)
    return forms, time.monotonic() - t0


async def fire(port: int, day: date, plan: list[Attempt], forms: list[Form]) -> list[Outcome]:
    """Every submission at its moment, none waiting for another (open loop)."""
    tasks = []
    t0 = time.monotonic() + 0.02
    for a, form in zip(plan, forms, strict=True):
        delay = t0 + a.at_s - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_attempt(port, day, a, form)))
    return await asyncio.gather(*tasks)


async def one_by_one(port: int, day: date, attempts: list[Attempt]) -> list[Outcome]:
    return [await _attempt(port, day, a, await _open_form(port, day, a)) for a in attempts]


def warm_up(slots: Sequence[clock_time]) -> list[Attempt]:
    """A few bookings of another day first, so that first-use costs stay out of the storm
    (the server at 06.00 has been up all night). Their NIKs and phones are none of the storm's."""
    rng = random.Random(7)
    return [
        Attempt(
            0,
            0.0,
            slots[k],
            None,
            _nik(rng, 9000 + k),
            f"0813{k:08d}",
            f"Pemanasan {k}",
            False,
            f"10.8.0.{k}",
        )
        for k in range(min(5, len(slots)))
    ]
