"""The booking storm's checks (bench/storm.py): the store, the answers, their order.

Each is printed met or missed. The expectation of every answer is `first_come_first_served`:
the rules of docs/bookings.md written here by hand, not the core's code, applied in the order
the attempts reached the server (bench/storm_log.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from pathlib import Path

from bench.building import STORM_LINE
from bench.storm_citizens import Attempt, Outcome
from server.core.building import BookingRules
from server.store import StoreReader

__all__ = [
    "Check",
    "check_answers",
    "check_order",
    "check_places",
    "first_come_first_served",
    "overtaken",
]

_REFUSALS = ("slot_full", "booking_nik_taken")  # the only answers but booked a storm may get


def first_come_first_served(
    rules: BookingRules, in_arrival_order: Sequence[Attempt]
) -> dict[int, str]:
    """What each attempt should get when the server answers them in this order, by the rules
    as docs/bookings.md states them (written here by hand, not the core's code): a NIK already
    holding the line's day is refused `booking_nik_taken`; else a regular citizen takes a
    regular place while one is free, a priority citizen a priority place while one is free,
    else a regular one; else `slot_full`. Attempt number -> "booked" or the refusal's code."""
    regular_free: dict[clock_time, int] = defaultdict(lambda: rules.places)
    priority_free: dict[clock_time, int] = defaultdict(lambda: rules.priority_places)
    holders: set[str] = set()
    out = {}
    for a in in_arrival_order:
        if a.nik in holders:
            out[a.n] = "booking_nik_taken"
            continue
        if a.priority is not None and priority_free[a.slot] > 0:
            priority_free[a.slot] -= 1
        elif regular_free[a.slot] > 0:
            regular_free[a.slot] -= 1
        else:
            out[a.n] = "slot_full"
            continue
        holders.add(a.nik)
        out[a.n] = "booked"
    return out


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    met: bool
    detail: str


def check_answers(outcomes: list[Outcome], arrivals: list[dict[str, object]]) -> Check:
    """Every attempt answered 303 or 409, refused only for the places or the NIK, and what its
    page says is what the server recorded deciding (the arrival log)."""
    recorded = {str(r["phone"]): r for r in arrivals}
    errors = [f"#{o.attempt.n}: {o.error}" for o in outcomes if o.error]
    other = Counter(o.refused for o in outcomes if o.refused not in (None, *_REFUSALS))
    disagree = []
    for o in outcomes:
        r = recorded.get(o.attempt.phone)
        said = ("booked", o.booked) if o.booked else (o.refused, None)
        if o.error is None and (r is None or (r["outcome"], r["code"]) != said):
            disagree.append(o.attempt.n)
    return Check(
        "every attempt answered, booked or refused for places or the NIK",
        not errors and not other and not disagree,
        f"no answer: {len(errors)}{(' e.g. ' + str(errors[:3])) if errors else ''}; other "
        f"refusals: {dict(other)}; pages saying otherwise than the server decided: "
        f"{len(disagree)}",
    )


def check_places(
    db: Path, rules: BookingRules, slots: int, day: date, acked: dict[str, Attempt]
) -> list[Check]:
    """Places given exactly, none twice: the stopped server's store against the rules and
    against what was acknowledged (module docstring)."""
    with StoreReader.open(db) as store:
        rows = [r for r in store.day_bookings(day) if r.line == STORM_LINE]
    holding = [r for r in rows if r.state in ("booked", "checked_in")]
    per_slot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in holding:
        per_slot[r.slot][0 if r.priority is None else 1] += 1
    over = {
        s: n
        for s, n in per_slot.items()
        if sum(n) > rules.capacity or n[0] > rules.places  # a regular never takes priority's
    }
    stored = {r.code for r in rows}
    places = slots * rules.capacity
    missing = sorted(set(acked) - stored)
    extra = sorted(stored - set(acked))
    given = Check(
        f"places given exactly {places}",
        len(holding) == places and not over and not missing and not extra,
        f"{len(holding)} bookings in the store; slots over their places: {len(over)}"
        + (f" {over}" if over else "")
        + f"; acknowledged but not stored: {len(missing)}; stored but not acknowledged: "
        f"{len(extra)}",
    )
    by_hash = Counter(r.nik_hash for r in holding)
    twice = [h for h, n in by_hash.items() if h is None or n > 1]
    by_nik = Counter(a.nik for a in acked.values())
    acked_twice = [nik for nik, n in by_nik.items() if n > 1]
    once = Check(
        "none twice (one booking per NIK per line and day)",
        not twice and not acked_twice,
        f"NIK hashes holding two or more in the store: {len(twice)}; NIKs acknowledged twice: "
        f"{len(acked_twice)}",
    )
    return [given, once]


def check_order(
    rules: BookingRules,
    outcomes: list[Outcome],
    arrivals: list[dict[str, object]],
    made_seq: dict[str, int],
) -> Check:
    """Answers in arrival order (module docstring): first come, first served by the server's
    own arrival numbers; booking seqs rising with arrival; acknowledgements in arrival order."""
    by_phone = {o.attempt.phone: o for o in outcomes}
    rows = sorted((r for r in arrivals if r["phone"] in by_phone), key=lambda r: r["arrived"])
    problems = []
    if len(rows) != len(outcomes):
        problems.append(f"{len(outcomes) - len(rows)} attempts never reached the booking desk")
    expected = first_come_first_served(rules, [by_phone[str(r["phone"])].attempt for r in rows])
    wrong = []
    for r in rows:
        o = by_phone[str(r["phone"])]
        got = "booked" if o.booked else o.refused or o.error
        if got != expected[o.attempt.n]:
            wrong.append((int(str(r["arrived"])), got, expected[o.attempt.n]))
    if wrong:
        problems.append(
            f"{len(wrong)} answers differ from first come, first served, e.g. (arrival, got, "
            f"due) {wrong[:3]}"
        )
    booked = [r for r in rows if r["outcome"] == "booked"]
    seqs = [made_seq.get(str(r["code"]), -1) for r in booked]
    if seqs != sorted(seqs) or -1 in seqs:
        problems.append("the bookings' event seqs do not rise with arrival")
    for kind, chosen in (
        ("booked", booked),
        ("refused", [r for r in rows if r["outcome"] != "booked"]),
    ):
        acks = [r["acked"] for r in chosen]
        if acks != sorted(acks):  # type: ignore[type-var]
            problems.append(f"{kind} attempts acknowledged out of arrival order")
    return Check(
        "answers in arrival order (first come, first served)",
        not problems,
        "; ".join(problems)
        or f"all {len(rows)} answers as first come, first served gives them; bookings' seqs and "
        "acknowledgements in arrival order",
    )


def overtaken(outcomes: list[Outcome], arrivals: list[dict[str, object]]) -> tuple[int, float]:
    """How many attempts reached the desk after one sent later than them, and by how much
    (seconds of send time) at most: the reordering of loopback and the server's accept loop."""
    sent = {o.attempt.phone: o.sent for o in outcomes}
    latest, count, most = float("-inf"), 0, 0.0
    for r in sorted((r for r in arrivals if r["phone"] in sent), key=lambda r: r["arrived"]):
        s = sent[str(r["phone"])]
        if s < latest:
            count += 1
            most = max(most, latest - s)
        latest = max(latest, s)
    return count, most
