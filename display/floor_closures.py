"""Counter-closure requests as the floor manager weighs them (issue 23, docs/operations.md
"Closing a counter during service hours"): pure, fed by `display.floor_model.FloorModel`.

An officer asks to close their counter with a reason (`closure_requested`); the manager approves
or refuses (`closure_decided`), or the officer withdraws (`closure_withdrawn`). The book keeps
each counter's request from the snapshot's `closure` object of the counter and from those three
events, and drops it as the server does (state only, no event of its own): when the counter
closes for any cause, when the officer logs out, on a withdrawal or a refusal, and at the day's
end. An approved request stays while the counter finishes its active ticket (it closes then).

What the manager needs to decide is `closure_rows`: each request with, for every line the
counter serves today, the citizens waiting and the other counters open for it, and the warning
when closing would leave a line with people waiting and no other open counter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server import protocol as p

if TYPE_CHECKING:
    from display.floor_model import FloorModel

__all__ = [
    "ClosureBook",
    "ClosureRequest",
    "ClosureRow",
    "LineCover",
    "ago_words",
    "closure_rows",
    "state_words",
]

# The state cell's words for a counter with a request (after its own state).
PENDING_WORDS = "minta tutup"
APPROVED_WORDS = "tutup disetujui"


@dataclass(slots=True)
class ClosureRequest:
    """One counter's request, pending or approved (a refused or withdrawn one is gone)."""

    counter: str
    officer: str
    reason: str
    requested_at: datetime
    officer_name: str | None = None
    approved_at: datetime | None = None
    by: str | None = None  # the manager who approved
    by_name: str | None = None

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


def _dt(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


@dataclass(slots=True)
class ClosureBook:
    """Today's closure requests by counter id, and the officers' names the snapshot and the
    requests gave."""

    requests: dict[str, ClosureRequest] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def load(self, counters: Iterable[Mapping[str, Any]]) -> None:
        """Start over from a snapshot's counters (their staff form)."""
        self.requests.clear()
        for c in counters:
            if c.get("officer") and c.get("officer_name"):
                self.names[str(c["officer"])] = str(c["officer_name"])
            closure = c.get("closure")
            if not isinstance(closure, Mapping):
                continue
            requested_at = _dt(closure.get("requested_at"))
            if requested_at is None or not closure.get("officer"):
                continue  # a damaged object: the next snapshot brings it back
            officer = str(closure["officer"])
            if closure.get("officer_name"):
                self.names[officer] = str(closure["officer_name"])
            self.requests[str(c["id"])] = ClosureRequest(
                counter=str(c["id"]),
                officer=officer,
                reason=str(closure.get("reason") or ""),
                requested_at=requested_at,
                officer_name=closure.get("officer_name") or self.names.get(officer),
                approved_at=_dt(closure.get("approved_at")),
                by=closure.get("by"),
                by_name=closure.get("by_name"),
            )

    def apply(self, event: p.Event) -> None:
        """Move the book by one event (read by the protocol's reader), as the server's state
        moves: a refusal, a withdrawal, the counter's closing (any cause), the officer's
        logout and the day's end drop the request."""
        match event:
            case p.ClosureRequested(counter=cid, officer=officer, reason=reason):
                if event.officer_name:
                    self.names[officer] = event.officer_name
                self.requests[cid] = ClosureRequest(
                    cid, officer, reason, event.at, officer_name=self.names.get(officer)
                )
            case p.ClosureDecided(counter=cid, approved=True, by=by) if cid in self.requests:
                request = self.requests[cid]
                request.approved_at, request.by = event.at, by
                request.by_name = event.by_name or request.by_name
            case (
                p.ClosureDecided(counter=cid)
                | p.ClosureWithdrawn(counter=cid)
                | p.CounterClosed(counter=cid)
                | p.OfficerLoggedOut(counter=cid)
            ):
                self.requests.pop(cid, None)
            case p.DayClosed():
                self.requests.clear()

    def pending(self) -> list[ClosureRequest]:
        """The undecided requests, oldest first."""
        return sorted(
            (r for r in self.requests.values() if not r.approved),
            key=lambda r: (r.requested_at, r.counter),
        )


@dataclass(frozen=True, slots=True)
class LineCover:
    """One line a counter serves: citizens waiting, and the other counters open for it."""

    prefix: str
    name: str
    waiting: int
    others_open: tuple[str, ...]  # the other open counters' names

    @property
    def left_alone(self) -> bool:
        """Closing leaves citizens waiting here with no open counter."""
        return self.waiting > 0 and not self.others_open

    def words(self) -> str:
        """ "A 5 menunggu, loket lain yang buka: Loket 1, Loket 2" / "B 3 menunggu, tidak ada loket
        lain yang buka"."""
        others = (
            "loket lain yang buka: " + ", ".join(self.others_open)
            if self.others_open
            else "tidak ada loket lain yang buka"
        )
        return f"{self.prefix} {self.waiting} menunggu, {others}"


@dataclass(frozen=True, slots=True)
class ClosureRow:
    """A request as the manager weighs it."""

    request: ClosureRequest
    counter_name: str
    agency: str  # the agency's short name
    counter_state: str  # open / paused / closed
    ago_s: float  # since the request
    lines: tuple[LineCover, ...]

    @property
    def officer_words(self) -> str:
        """The officer's name, or their id when the dashboard never heard the name."""
        return self.request.officer_name or self.request.officer

    @property
    def left_alone(self) -> tuple[LineCover, ...]:
        return tuple(ln for ln in self.lines if ln.left_alone)

    def warning(self) -> str | None:
        """ "Menutup Loket 3 meninggalkan 3 warga di layanan B tanpa loket yang
        buka." — or None."""
        alone = self.left_alone
        if not alone:
            return None
        people = sum(ln.waiting for ln in alone)
        prefixes = ", ".join(ln.prefix for ln in alone)
        return (
            f"Menutup {self.counter_name} meninggalkan {people} warga di layanan {prefixes} "
            "tanpa loket yang buka."
        )


def ago_words(seconds: float) -> str:
    """How long ago, as the alert says it: "baru saja", "4 menit", "1 jam 5 menit"."""
    minutes = int(max(0.0, seconds) // 60)
    if minutes < 1:
        return "baru saja"
    if minutes < 60:
        return f"{minutes} menit"
    hours, rest = divmod(minutes, 60)
    return f"{hours} jam" + (f" {rest} menit" if rest else "")


def state_words(request: ClosureRequest | None) -> str | None:
    """What the counters table adds to a counter's state cell for its request."""
    if request is None:
        return None
    return APPROVED_WORDS if request.approved else PENDING_WORDS


def closure_rows(model: FloorModel, now: datetime) -> list[ClosureRow]:
    """Every request (pending first, then approved ones still finishing), oldest first, with the
    lines its counter serves today: waiting citizens and the other counters open for each.

    "Open" is the counter's state `open`: a paused counter calls nobody, and a counter whose
    own closure is approved is leaving, so neither covers a line.
    """
    defs = {cd["id"]: cd for cd in model.counter_defs()}
    line_names = {ln["prefix"]: ln.get("name", "") for ln in model.line_defs()}
    agencies = model.agency_names()
    book: ClosureBook = model.closures
    waiting: dict[str, int] = {}
    for t in model.tickets.values():
        if t.state == "waiting":
            waiting[t.line] = waiting.get(t.line, 0) + 1
    leaving = {cid for cid, r in book.requests.items() if r.approved}
    rows = []
    ordered = sorted(book.requests.values(), key=lambda r: (r.approved, r.requested_at, r.counter))
    for request in ordered:
        cd = defs.get(request.counter, {})
        covers = []
        for prefix in cd.get("serves", []):
            others = tuple(
                other.get("name", oid)
                for oid, other in defs.items()
                if oid != request.counter
                and oid not in leaving
                and prefix in other.get("serves", [])
                and (c := model.counters.get(oid)) is not None
                and c.state == "open"
            )
            covers.append(
                LineCover(prefix, line_names.get(prefix, prefix), waiting.get(prefix, 0), others)
            )
        counter = model.counters.get(request.counter)
        agency = str(cd.get("agency", ""))
        rows.append(
            ClosureRow(
                request=request,
                counter_name=str(cd.get("name", request.counter)),
                agency=agencies.get(agency, agency),
                counter_state=counter.state if counter is not None else "closed",
                ago_s=max(0.0, (now - request.requested_at).total_seconds()),
                lines=tuple(covers),
            )
        )
    return rows
