"""The counter console's picture of its counter, from what the server sent: no I/O, no Textual.

Theory of operation: `ConsoleModel` is the officer's picture of one counter — the building
layout, the counter's state, the open tickets of the officer's agency, the line figures and the
next numbers. It is built from the officer `snapshot` and kept current by the pushed `event`,
`lines` and `next` frames and by the replies to the officer's own actions, all in the order they
arrived.
The app asks `allowed_actions` which keys apply now, and renders the model with the texts of
counter/texts.py (labels, durations, the panels and the hint line).

A closure request (issue 23): the officer asks the floor to close the counter (U) with a
reason; the request as the server keeps it is the counter's `closure` (snapshot, replies), kept
current by the `closure_requested`, `closure_withdrawn` and `closure_decided` events. The last
decision heard (`closure_news`) stays for the officer to read until their next action.

A visit (issue 22): when the active ticket is a stop of one, the model says so
(`itinerary_wanted`) and the app asks the server for its itinerary (`visit`); each visit event
heard for it (`visit_started`, `stop_added`, `stop_skipped`, `visit_handed_on`) makes the kept
itinerary old, so it is asked for again. The hand-ons seen name the next stop's number for the
message after a finish.

Only `server.protocol` field names are assumed here (docs/protocol.md): the console imports
nothing of the server's core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

__all__ = ["Action", "ConsoleModel", "allowed_actions", "parse_time"]


class Action(StrEnum):
    """An officer's action; the value is the protocol request type that carries it out."""

    CALL_NEXT = "call_next"
    RECALL = "recall"
    START = "start_service"
    FINISH = "finish_service"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    PAUSE = "pause_counter"
    RESUME = "resume_counter"
    CALL_TICKET = "call_ticket"
    REACTIVATE = "reactivate"
    OPEN = "open_counter"
    LOGOUT = "logout"
    ADD_STOP = "add_stop"
    SKIP_STOP = "skip_stop"
    REQUEST_CLOSURE = "request_closure"
    WITHDRAW_CLOSURE = "withdraw_closure"


# Tickets the console keeps: the others are finished business.
_OPEN_STATES: Final = frozenset({"printing", "waiting", "called", "serving", "no_show"})
# A visit's stops over for good: their line may be added to the visit again (any other stop's
# line would be refused as already planned, docs/protocol.md `add_stop`).
_FINISHED_STOP_STATES: Final = frozenset({"done", "skipped"})
# The events that change a visit's itinerary: the console asks for it again.
_VISIT_KINDS: Final = frozenset({"visit_started", "stop_added", "stop_skipped", "visit_handed_on"})


# --------------------------------------------------------------------------------------------
# Small formatting
# --------------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """An ISO-8601 timestamp from the wire, or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@dataclass
class ConsoleModel:
    """What the console knows about its counter; every `apply_*` keeps it as the server has it."""

    counter_id: str
    officer_id: str = ""
    officer_name: str = ""
    agency: str = ""  # the officer's agency code, from the welcome
    # The static layout from the snapshot: agencies, lines and counters by id.
    agencies: dict[str, dict[str, Any]] = field(default_factory=dict)
    line_defs: dict[str, dict[str, Any]] = field(default_factory=dict)
    counter_defs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # This counter's state as the server reported it last (state, pause_reason, ticket…).
    counter: dict[str, Any] = field(default_factory=dict)
    # Open tickets of the agency's lines by id: the active one, the no-shows, the waiting.
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Line figures (waiting, longest wait…) by prefix, from `lines` frames.
    lines: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The numbers this counter would call next, in order: from the snapshot, the `next` push
    # and the counter actions' replies (the server computes them; events alone cannot).
    next: list[dict[str, Any]] = field(default_factory=list)
    # The newest event sequence number applied: replays and snapshots never go backwards.
    seq: int = -1
    # The building's time zone, from the snapshot: a booked ticket's slot is read in it.
    zone_label: str = "WIB"
    utc_offset_min: int = 7 * 60
    # Who booked the active ticket, as `booking_holder` answered ({name, nik_masked}; {} when
    # the server had nothing to show), by ticket id. Personal data: kept only while that
    # ticket is active at this counter (`_forget_holders`), never written anywhere.
    holders: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Visits (issue 22). The itinerary of the active ticket's visit as the `visit` request or
    # an add/skip reply gave it, by visit id; which visit each ticket we heard of belongs to;
    # and per visit how many changes were announced (`visit_changes`, bumped by each visit
    # event) against how many the kept itinerary already shows (`visit_seen`): the itinerary
    # is asked for again whenever the first runs ahead, even if a change came in while an
    # earlier answer was on its way.
    itineraries: dict[str, dict[str, Any]] = field(default_factory=dict)
    visit_of: dict[str, str] = field(default_factory=dict)
    visit_changes: dict[str, int] = field(default_factory=dict)
    visit_seen: dict[str, int] = field(default_factory=dict)
    # The hand-ons we saw, by the number that was finished: {number, line} of the next stop's
    # ticket, for the "B-031 selesai, diteruskan ke …" message after the finish.
    handed_on: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The floor's last decision on this counter's closure request ({approved, by, by_name,
    # note}), as heard: the console shows it until the officer's next action (`forget_news`).
    closure_news: dict[str, Any] | None = None
    # The service day of the last snapshot ("2026-11-23"): a snapshot of another day means the
    # day's end went by unseen (offline at midnight), and yesterday's closure news with it.
    day: str | None = None
    # Floor managers' names by id, as closure requests named them (snapshot, replies, events):
    # a decision event carries the manager's id, the officer reads their name.
    manager_names: dict[str, str] = field(default_factory=dict)

    # -- derived ----------------------------------------------------------------------------

    @property
    def counter_name(self) -> str:
        return self.counter_defs.get(self.counter_id, {}).get("name", self.counter_id)

    @property
    def serves(self) -> list[str]:
        return list(self.counter_defs.get(self.counter_id, {}).get("serves", []))

    @property
    def agency_name(self) -> str:
        agency = self.agencies.get(self.agency, {})
        return agency.get("short_name") or agency.get("name") or self.agency

    @property
    def counter_state(self) -> str | None:
        return self.counter.get("state")

    @property
    def active(self) -> dict[str, Any] | None:
        """The ticket called or served at this counter, if any."""
        tid = self.counter.get("ticket")
        if not tid:
            return None
        return self.tickets.get(tid) or {
            "id": tid,
            "number": self.counter.get("number") or tid.rpartition("/")[2],
            "line": (self.counter.get("number") or "?").partition("-")[0],
            "state": self.counter.get("ticket_state") or "called",
        }

    @property
    def closure(self) -> dict[str, Any] | None:
        """This counter's closure request, pending or approved, as the server keeps it; None."""
        found = self.counter.get("closure")
        return found if isinstance(found, dict) else None

    @property
    def closure_pending(self) -> bool:
        """A request of this counter waits for the floor's decision."""
        closure = self.closure
        return closure is not None and not closure.get("approved_at")

    @property
    def closure_approved(self) -> bool:
        """The floor approved closing this counter; it closes once its ticket is released."""
        closure = self.closure
        return closure is not None and bool(closure.get("approved_at"))

    def manager_name(self, manager: str | None) -> str:
        """A floor manager's name as the officer reads it ("pengelola" when not known yet: an
        id tells the officer nothing)."""
        return self.manager_names.get(manager or "") or "pengelola"

    def _learn_names(self, closure: Any) -> None:
        if isinstance(closure, dict) and closure.get("by") and closure.get("by_name"):
            self.manager_names[str(closure["by"])] = str(closure["by_name"])

    def forget_news(self) -> None:
        """The officer acts again: the last closure decision has been read."""
        self.closure_news = None

    def holder_wanted(self) -> str | None:
        """The active ticket's id when it came from a booking and its holder is not known yet:
        the console asks the server (`booking_holder`) for the name and masked NIK."""
        t = self.active
        if t is None or not t.get("booking") or t["id"] in self.holders:
            return None
        return t["id"]

    def apply_holder(self, ticket: str, holder: dict[str, Any] | None) -> None:
        """The `booking_holder` answer for a ticket ({} or None: nothing to show); kept only
        if the ticket is still the active one."""
        active = self.active
        if active is not None and active["id"] == ticket:
            self.holders[ticket] = dict(holder or {})

    def _forget_holders(self) -> None:
        active = self.active
        keep = active["id"] if active is not None else None
        for tid in [tid for tid in self.holders if tid != keep]:
            del self.holders[tid]

    def line_name(self, prefix: str) -> str:
        return self.line_defs.get(prefix, {}).get("name", prefix)

    def line_agency_name(self, prefix: str) -> str:
        """The short name of the agency serving a line ("BPJS Kesehatan")."""
        code = self.line_defs.get(prefix, {}).get("agency", "")
        agency = self.agencies.get(code, {})
        return agency.get("short_name") or agency.get("name") or code or prefix

    # -- the active ticket's visit ----------------------------------------------------------

    def visit_id(self, ticket: dict[str, Any] | None) -> str | None:
        """The visit a ticket is a stop of: its summary (snapshot), else what events said."""
        if ticket is None:
            return None
        summary = ticket.get("visit")
        if isinstance(summary, dict) and summary.get("id"):
            return str(summary["id"])
        return self.visit_of.get(ticket.get("id", ""))

    def itinerary(self) -> dict[str, Any] | None:
        """The active ticket's visit as last fetched, or None (no visit, or not known yet)."""
        vid = self.visit_id(self.active)
        return self.itineraries.get(vid) if vid else None

    def itinerary_wanted(self) -> tuple[str, int] | None:
        """(the active ticket's id, the visit's change count) when its visit's itinerary is
        missing or older than the visit events heard since: the console asks (`visit`)."""
        active = self.active
        vid = self.visit_id(active)
        if active is None or vid is None:
            return None
        changes = self.visit_changes.get(vid, 0)
        if vid in self.itineraries and self.visit_seen.get(vid, -1) >= changes:
            return None
        return active["id"], changes

    def apply_itinerary(self, view: dict[str, Any] | None, changes: int | None = None) -> None:
        """An itinerary view (the `visit` answer, an add/skip reply). `changes` is the visit's
        change count when it was asked for; None: it is the newest (a reply, which comes after
        the events of its own action)."""
        if not isinstance(view, dict) or not view.get("id"):
            return
        vid = str(view["id"])
        if changes is not None and vid in self.itineraries and changes < self.visit_seen[vid]:
            return  # overtaken by a newer answer (two may be on their way at once)
        self.itineraries[vid] = view
        for stop in view.get("stops") or []:
            if isinstance(stop, dict) and stop.get("ticket"):
                self.visit_of[stop["ticket"]] = vid
        now = self.visit_changes.get(vid, 0)
        self.visit_seen[vid] = now if changes is None else min(changes, now)
        self._forget_itineraries()

    def visit_step(self) -> tuple[int, int] | None:
        """(1-based step of the active ticket in its visit, number of stops), or None."""
        active = self.active
        if self.visit_id(active) is None or active is None:
            return None
        plan = self.itinerary()
        if plan is not None:
            stops = plan.get("stops") or []
            index = _stop_index(plan, active["id"])
            return index + 1, len(stops)
        summary = active.get("visit")
        if isinstance(summary, dict) and isinstance(summary.get("stop"), int):
            return summary["stop"] + 1, int(summary.get("stops") or summary["stop"] + 1)
        return None

    def pending_stops(self) -> list[tuple[int, dict[str, Any]]]:
        """The active ticket's visit's stops not yet begun, (index, stop), in visit order."""
        plan = self.itinerary()
        if plan is None:
            return []
        stops = plan.get("stops") or []
        return [(i, s) for i, s in enumerate(stops) if s.get("state") == "pending"]

    def next_stop(self) -> dict[str, Any] | None:
        """The stop the citizen goes to after the active one, if any."""
        plan, active = self.itinerary(), self.active
        if plan is None or active is None:
            return None
        after = _stop_index(plan, active["id"])
        return next((s for i, s in self.pending_stops() if i > after), None)

    def planned_lines(self) -> set[str]:
        """Lines the active ticket's visit holds in a stop not done or skipped (the ticket's own
        line when it is not in a visit yet): adding them again would be refused."""
        active = self.active
        if active is None:
            return set()
        plan = self.itinerary()
        if plan is None:
            return {active.get("line", "")}
        stops = plan.get("stops") or []
        return {s.get("line", "") for s in stops if s.get("state") not in _FINISHED_STOP_STATES}

    def _forget_itineraries(self) -> None:
        """Only the active ticket's visit is shown: the others are asked for when needed."""
        keep = self.visit_id(self.active)
        for vid in [vid for vid in self.itineraries if vid != keep]:
            del self.itineraries[vid]
            self.visit_seen.pop(vid, None)

    def _visit_event(self, kind: str, ev: dict[str, Any]) -> None:
        vid = ev.get("visit")
        if not vid:
            return
        self.visit_changes[vid] = self.visit_changes.get(vid, 0) + 1
        for key in ("ticket", "from_ticket"):
            if ev.get(key):
                self.visit_of[ev[key]] = vid
        if kind == "visit_handed_on" and ev.get("from_number"):
            self.handed_on[ev["from_number"]] = {"number": ev.get("number"), "line": ev.get("line")}

    def no_shows(self) -> list[dict[str, Any]]:
        """The agency's no-show tickets, the most recent first: candidates to reactivate."""
        found = [t for t in self.tickets.values() if t.get("state") == "no_show"]
        return sorted(found, key=lambda t: t.get("no_show_at") or "", reverse=True)

    # -- applying what the server sent ------------------------------------------------------

    def apply_welcome(self, principal: dict[str, Any]) -> None:
        self.officer_id = principal.get("id", self.officer_id)
        self.officer_name = principal.get("name", self.officer_name)
        self.agency = principal.get("agency", self.agency)

    def apply_snapshot(self, snap: dict[str, Any]) -> None:
        """Replace everything with the snapshot's picture (complete up to its `seq`)."""
        building = snap.get("building") or {}
        self.agencies = {a["code"]: a for a in building.get("agencies", [])}
        self.line_defs = {ln["prefix"]: ln for ln in building.get("lines", [])}
        self.counter_defs = {c["id"]: c for c in building.get("counters", [])}
        mine = next((c for c in snap.get("counters", []) if c["id"] == self.counter_id), None)
        self.counter = dict(mine) if mine else {}
        day = snap.get("day")
        if day != self.day:
            self.closure_news = None  # yesterday's decision (the day_closed missed offline)
            self.day = day
        for counter in snap.get("counters", []):
            self._learn_names(counter.get("closure"))
        self.tickets = {t["id"]: dict(t) for t in snap.get("tickets", [])}
        self.apply_lines(snap.get("lines", []))
        self.next = list(snap.get("next", []))
        self.seq = snap.get("seq", self.seq)
        self.zone_label = building.get("timezone") or self.zone_label
        self.utc_offset_min = int(building.get("utc_offset_min", self.utc_offset_min))
        # Visit events may have been missed meanwhile: every itinerary is asked for again.
        self.visit_of.clear()
        for vid in self.itineraries:
            self.visit_changes[vid] = self.visit_changes.get(vid, 0) + 1
        self._forget_holders()
        self._forget_itineraries()

    def apply_lines(self, figures: list[dict[str, Any]]) -> bool:
        """Take new line figures; True when one of this counter's lines stopped being empty."""
        woke = False
        for fig in figures:
            prefix = fig.get("prefix")
            before = self.lines.get(prefix)
            if prefix in self.serves and before is not None:
                woke |= before.get("waiting", 0) == 0 and fig.get("waiting", 0) > 0
            self.lines[prefix] = fig
        return woke

    def apply_next(self, frame: dict[str, Any]) -> bool:
        """A pushed `next` frame: this counter's next numbers now. False if not for us."""
        numbers = frame.get("next")
        if frame.get("counter") != self.counter_id or not isinstance(numbers, list):
            return False
        self.next = [dict(t) for t in numbers if isinstance(t, dict)]
        return True

    def apply_reply(self, reply: dict[str, Any], *, with_next: bool = True) -> None:
        """The `counter`, `ticket` and `next` of a counter action's reply: the state right after.

        `with_next=False` keeps the next numbers as they are: a `next` push that may be newer
        than the reply was applied while the action was under way.
        """
        if isinstance(reply.get("counter"), dict):
            self.counter = dict(reply["counter"])
            self._learn_names(self.counter.get("closure"))
        ticket = reply.get("ticket")
        if isinstance(ticket, dict):
            self._keep(dict(ticket))
        numbers = reply.get("next")
        if with_next and isinstance(numbers, list):
            self.next = [dict(t) for t in numbers if isinstance(t, dict)]
        self._forget_holders()
        # The action's own events (finish_service's hand-on, add_stop's visit_started…) are
        # in the reply too: taken for the visit's sake, whether or not they were pushed here.
        for item in reply.get("events") or []:
            ev = item.get("event") if isinstance(item, dict) else None
            if isinstance(ev, dict) and ev.get("kind") in _VISIT_KINDS:
                self._visit_event(str(ev["kind"]), ev)
        self.apply_itinerary(reply.get("visit"))  # add_stop, skip_stop

    def apply_event(self, seq: int, ev: dict[str, Any]) -> None:
        """One pushed event (staff form); an event already applied is skipped."""
        if seq <= self.seq:
            return
        self.seq = seq
        kind, at = ev.get("kind"), ev.get("at")
        tid = ev.get("ticket")
        ticket = self.tickets.get(tid) if tid else None
        mine = ev.get("counter") == self.counter_id
        if kind == "ticket_issued":
            self._keep(
                {
                    "id": tid,
                    "number": ev.get("number"),
                    "line": ev.get("line"),
                    "state": "printing",
                    "priority": ev.get("priority"),
                    "issued_at": at,
                    # Checked in from a booking: queued at its slot's start, as the server has it.
                    "queued_at": ev.get("slot") or at,
                    "calls": 0,
                    "booking": ev.get("booking"),
                    "slot": ev.get("slot"),
                }
            )
            if ev.get("queued_at"):  # a visit's next stop: queued as the credit rule says
                self.tickets[tid]["queued_at"] = ev["queued_at"]
            if ev.get("visit") and tid:
                self.visit_of[tid] = ev["visit"]
        elif ticket is None and tid and kind == "ticket_transferred":
            # A ticket sent to our agency from another's: we know it from now on.
            number = tid.rpartition("/")[2]
            self._keep({"id": tid, "number": number, "line": ev.get("to_line"), "calls": 0})
            ticket = self.tickets.get(tid)
        if ticket is not None:
            self._ticket_event(kind, at, ticket, ev)
        if kind == "ticket_called" and mine:
            self.counter.update(ticket=tid, number=ev.get("number"), ticket_state="called")
        elif tid and self.counter.get("ticket") == tid and kind in _RELEASING:
            self.counter.update(ticket=None, number=None, ticket_state=None)
        elif kind == "service_started" and mine:
            self.counter["ticket_state"] = "serving"
        if mine and kind in _COUNTER_MOVES:
            state = _COUNTER_MOVES[kind]
            reason = ev.get("reason") if state == "paused" else None
            self.counter.update(state=state, since=at, pause_reason=reason)
        if mine and kind == "officer_logged_in":
            self.counter["officer"] = ev.get("officer")
        elif mine and kind == "officer_logged_out":
            self.counter["officer"] = None
        if mine and kind in _CLOSURE_KINDS:
            self._closure_event(kind, at, ev)
        elif mine and kind in ("counter_closed", "officer_logged_out"):
            self.counter["closure"] = None  # the server drops the request with them
        if kind in _VISIT_KINDS:
            self._visit_event(kind, ev)
        if kind == "day_closed":
            self.counter["closure"] = None
            self.closure_news = None
            self.tickets.clear()
            self.next = []
            self.visit_of.clear()
            self.handed_on.clear()
        self._forget_holders()
        self._forget_itineraries()

    def _closure_event(self, kind: str, at: str | None, ev: dict[str, Any]) -> None:
        """A closure request of this counter asked, withdrawn or decided."""
        if kind == "closure_requested":
            self.counter["closure"] = {
                "officer": ev.get("officer"),
                "officer_name": ev.get("officer_name"),
                "reason": ev.get("reason"),
                "requested_at": at,
                "approved_at": None,
                "by": None,
                "by_name": None,
            }
            self.closure_news = None  # a new request: the last decision is old news
        elif kind == "closure_withdrawn":
            self.counter["closure"] = None
        elif kind == "closure_decided":
            by, approved = ev.get("by"), bool(ev.get("approved"))
            self._learn_names(ev)
            self.closure_news = {"approved": approved, "by": by, "note": ev.get("note")}
            closure = self.closure
            if approved and closure is not None:
                self.counter["closure"] = {**closure, "approved_at": at, "by": by}
            elif not approved:
                self.counter["closure"] = None

    def _ticket_event(
        self, kind: str | None, at: str | None, ticket: dict[str, Any], ev: dict[str, Any]
    ) -> None:
        if kind == "ticket_printed" or kind == "ticket_reactivated":
            ticket.update(state="waiting", counter=None)
        elif kind == "ticket_called":
            if ticket.get("counter") != ev.get("counter"):
                ticket["called_at"] = at
            ticket.update(state="called", counter=ev.get("counter"), call_reason=ev.get("reason"))
            ticket["calls"] = ticket.get("calls", 0) + 1
        elif kind == "ticket_recalled":
            ticket["calls"] = ticket.get("calls", 0) + 1
        elif kind == "service_started":
            ticket.update(state="serving", started_at=at)
        elif kind == "ticket_no_show":
            ticket.update(state="no_show", no_show_at=at)
        elif kind == "ticket_transferred":
            to_line = ev.get("to_line")
            ticket.update(state="waiting", line=to_line, counter=None, called_at=None)
            ticket["transfers"] = [*ticket.get("transfers", []), ev.get("from_line")]
            if to_line not in self.line_defs or self.line_defs[to_line]["agency"] != self.agency:
                # Gone to another agency: we will hear no more of it.
                self.tickets.pop(ticket["id"], None)
        elif kind in _CLOSING_KINDS:
            self.tickets.pop(ticket["id"], None)

    def _keep(self, ticket: dict[str, Any]) -> None:
        tid = ticket.get("id")
        if not tid:
            return
        if ticket.get("state") in _OPEN_STATES or "state" not in ticket:
            self.tickets[tid] = {**self.tickets.get(tid, {}), **ticket}
        else:
            self.tickets.pop(tid, None)


def _stop_index(plan: dict[str, Any], ticket: str) -> int:
    """Where a ticket stands in an itinerary; the visit's current stop if it is not there."""
    stops = plan.get("stops") or []
    found = next((i for i, s in enumerate(stops) if s.get("ticket") == ticket), None)
    return found if found is not None else int(plan.get("current") or 0)


# Events after which the counter no longer holds the ticket.
_RELEASING: Final = frozenset(
    {
        "service_finished",
        "ticket_no_show",
        "ticket_transferred",
        "ticket_cancelled",
        "ticket_expired",
    }
)
# Events after which a ticket is finished business for the console.
_CLOSING_KINDS: Final = frozenset(
    {"service_finished", "ticket_cancelled", "ticket_expired", "ticket_print_failed"}
)
# A closure request's events (issue 23).
_CLOSURE_KINDS: Final = frozenset({"closure_requested", "closure_withdrawn", "closure_decided"})
# Counter events -> the state they lead to (pause keeps its reason).
_COUNTER_MOVES: Final = {
    "counter_opened": "open",
    "counter_paused": "paused",
    "counter_resumed": "open",
    "counter_closed": "closed",
}


# --------------------------------------------------------------------------------------------
# Which keys apply, and what the officer reads
# --------------------------------------------------------------------------------------------


def allowed_actions(model: ConsoleModel) -> frozenset[Action]:
    """The actions that make sense now; the server is the judge, this only spares a refusal."""
    state = model.counter_state
    active = model.active
    out = {Action.REACTIVATE}
    # U asks to close an open or paused counter, busy or not; while the floor has not
    # decided yet, the same key withdraws the request.
    if model.closure_pending:
        out.add(Action.WITHDRAW_CLOSURE)
    elif model.closure is None and state in ("open", "paused"):
        out.add(Action.REQUEST_CLOSURE)
    if active is None:
        out.add(Action.LOGOUT)
        if state == "open" and not model.closure_approved:  # approved: no more calls
            out |= {Action.CALL_NEXT, Action.CALL_TICKET, Action.PAUSE}
        elif state == "paused":
            out.add(Action.RESUME)
        elif state == "closed":
            out.add(Action.OPEN)
        return frozenset(out)
    out.add(Action.TRANSFER)
    if active.get("state") == "called":
        out |= {Action.RECALL, Action.START, Action.NO_SHOW}
    elif active.get("state") == "serving":
        # A stop is added for what the service found ("perlu ke Samsat juga").
        out |= {Action.FINISH, Action.ADD_STOP}
    if model.pending_stops():
        out.add(Action.SKIP_STOP)
    return frozenset(out)
