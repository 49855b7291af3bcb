"""One press, one printed ticket: the kiosk's conversation with the server and the printer.

Theory of operation, for a citizen's press on a line (and a priority choice):

1. Check the printer (DLE EOT). A printer without paper, offline or silent never gets a number
   reserved for it: the press ends here and the floor is alerted (`printer_status`).
2. `issue_ticket` with the press's request id. The id is made once per press and kept (in memory)
   until the press is settled, so every retry — the client's own after a reconnect, or the
   citizen's "Coba lagi" after an outage — is the same request, and the server answers it with
   the same ticket: one press, one number. The ticket is reserved in the `printing` state.
3. Render the ticket (`kiosk.ticket.render_ticket`) and print it (`kiosk.printer`). The printer
   answers a status query after the job only once it has read every byte of it.
4. Printed: `confirm_printed`, and the number enters the queue. Not printed: `print_failed`
   with the reason, and the number leaves the queue (no phantom numbers); the floor is alerted.

A booked citizen's check-in is the same press with `check_in` and the booking code in step 2
(`Issuer.check_in`): the server answers with the same ticket, or refuses with the booking's
reason, and everything after is the walk-in ticket's path. A print that fails returns the
booking to "booked" on the server (it may be checked in again).

A visit of several services (issue 22, `Issuer.visit`) is the same press with `issue_visit` and
the lines in the order the citizen accepted: the server answers with the FIRST stop's ticket
(confirmed or failed exactly as a single ticket) and the itinerary, which the paper lists. A
print that fails ends the whole visit on the server (the later stops' places are given back).

Confirmations and failure reports go through an outbox that retries (same request id) until the
server has them, because the paper is already in the citizen's hand or the number already lost:
the report must not die with a network blink. A reservation that never gets either expires on
the server after two minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.building import BuildingInfo, short_name
from kiosk.printer import Printer
from kiosk.printer_status import PrinterState, PrinterStatus
from kiosk.ticket import Layout, TicketPrint, VisitStop, render_ticket
from server.client import AntreClient, ClientClosed, ConnectionLost, RequestError

__all__ = ["Issuer", "Outcome", "Press", "PressResult", "ReprintResult"]

log = logging.getLogger("antre.kiosk")


class Outcome(StrEnum):
    PRINTED = "printed"  # on paper and confirmed (or the confirmation is on its way)
    REFUSED = "refused"  # the queue rules said no: quota, cutoff, hours…
    PRINTER_DOWN = "printer_down"  # checked before reserving: no number was taken
    PRINT_FAILED = "print_failed"  # reserved, not printed: the server was told to release it
    SERVER_DOWN = "server_down"  # no answer from the server; the press can be retried as is


@dataclass(frozen=True, slots=True)
class PressResult:
    outcome: Outcome
    ticket: dict[str, Any] | None = None  # the server's issued ticket
    printer: PrinterStatus | None = None
    code: str | None = None  # a refusal's code
    message: str | None = None  # a refusal's Indonesian message
    details: dict[str, Any] | None = None  # a refusal's facts (a check-in's: number, walk_in…)
    booking: str | None = None  # the booking code of a check-in's press
    visit: dict[str, Any] | None = None  # a visit's itinerary view (the server's issue reply)
    lines: tuple[str, ...] | None = None  # a visit's lines, as pressed (a refusal's too)


@dataclass(frozen=True, slots=True)
class ReprintResult:
    copy: TicketPrint | None  # None: no ticket printed here yet
    printer: PrinterStatus | None  # None: nothing was sent to the printer
    refused: str | None = None  # the server's Indonesian reason when it said no
    recorded: bool = False  # the server holds the record of this copy


@dataclass(slots=True)
class Press:
    """A citizen's press, kept until settled so that retries reuse its request id.

    A walk-in press names a line (and a priority); a check-in names the booking code only (the
    server knows the booking's line); a visit names its lines in the accepted order.
    """

    line: str | None
    priority: str | None
    booking: str | None = None  # a check-in's booking code
    lines: tuple[str, ...] | None = None  # a visit's lines, in the order accepted
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ticket: dict[str, Any] | None = None  # the issue reply, once the server gave it
    visit: dict[str, Any] | None = None  # a visit's itinerary view, from the same reply

    def again(self) -> Press:
        """The same choice as a new request (its reservation expired before it was printed)."""
        return Press(self.line, self.priority, self.booking, self.lines)

    def request(self) -> tuple[str, dict[str, Any]]:
        """The request's type and fields."""
        if self.booking is not None:
            return "check_in", {"code": self.booking}
        if self.lines is not None:
            return "issue_visit", {"lines": list(self.lines), "priority": self.priority}
        return "issue_ticket", {"line": self.line, "priority": self.priority}

    def __str__(self) -> str:
        if self.booking is not None:
            return f"booking {self.booking}"
        if self.lines is not None:
            return f"visit {'+'.join(self.lines)}"
        return f"line {self.line}"


@dataclass(slots=True)
class _Report:
    type: str
    fields: dict[str, Any]
    done: asyncio.Future[None]


class Issuer:
    """Runs presses, keeps the last ticket for reprints, and reports the printer's state."""

    def __init__(
        self,
        client: AntreClient,
        printer: Printer,
        layout: Layout,
        *,
        public_base: str,
        issue_timeout_s: float = 8.0,
        confirm_wait_s: float = 3.0,
        on_printer: Callable[[PrinterStatus], None] | None = None,
    ) -> None:
        self.client = client
        self.printer = printer
        self.layout = layout
        # Where citizens' phones reach the ticket page: the QR code's address prefix.
        self.public_base = public_base.rstrip("/")
        self.issue_timeout_s = issue_timeout_s
        # How long a press waits for its confirmation before telling the citizen anyway (the
        # outbox keeps trying in the background).
        self.confirm_wait_s = confirm_wait_s
        # Set by the app once the server's snapshot arrived; a press needs it to print.
        self.building: BuildingInfo | None = None
        # The press in flight, if any: a retry reuses it (and its request id).
        self.pending: Press | None = None
        # The last ticket printed, for the floor staff's reprint.
        self.last: TicketPrint | None = None
        self.last_id: str | None = None  # its server id: numbers repeat from one day to the next
        # The printer's last known state, and the last one the server acknowledged.
        self.printer_status: PrinterStatus | None = None
        self._reported: PrinterStatus | None = None
        self._on_printer = on_printer
        # One conversation with the printer at a time: many printers take one connection only.
        self._printer_lock = asyncio.Lock()
        self._outbox: asyncio.Queue[_Report] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._outbox_task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        if self._outbox_task is None:
            self._outbox_task = asyncio.create_task(self._deliver(), name="kiosk-outbox")

    async def close(self) -> None:
        tasks = [*self._tasks, *([self._outbox_task] if self._outbox_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def reconnected(self) -> None:
        """The server may have restarted and forgotten our printer: tell it again."""
        self._reported = None
        if self.printer_status is not None:
            self._report_printer(self.printer_status)

    # -- presses ----------------------------------------------------------------------------

    async def press(self, line: str, priority: str | None) -> PressResult:
        """A citizen's press: the pending one again if it is the same choice, else a new one."""
        pending = self.pending
        if pending is None or (pending.line, pending.priority, pending.booking, pending.lines) != (
            line,
            priority,
            None,
            None,
        ):
            self.pending = Press(line, priority)
        return await self._run(self.pending)

    async def visit(self, lines: tuple[str, ...], priority: str | None) -> PressResult:
        """A citizen's visit of several services, `lines` in the order they accepted: the
        pending one again if it is the same choice, else a new one."""
        pending = self.pending
        if pending is None or (pending.lines, pending.priority) != (lines, priority):
            self.pending = Press(None, priority, lines=lines)
        return await self._run(self.pending)

    async def check_in(self, code: str) -> PressResult:
        """A booked citizen's check-in (`code` as the server knows it, "K7QM4TXA"): the
        pending one again if it is the same code, else a new one."""
        pending = self.pending
        if pending is None or pending.booking != code:
            self.pending = Press(None, None, code)
        return await self._run(self.pending)

    def abandon(self) -> None:
        """The citizen walked away: forget the pending press (a reservation expires by itself)."""
        self.pending = None

    async def _run(self, press: Press, *, renewed: bool = False) -> PressResult:
        status = await self.check_printer()
        if not status.printable:
            return PressResult(Outcome.PRINTER_DOWN, printer=status)
        if press.ticket is None:
            kind, fields = press.request()
            try:
                reply = await self.client.request(
                    kind, timeout=self.issue_timeout_s, request_id=press.request_id, **fields
                )
            except RequestError as exc:
                self.pending = None
                details = exc.reply.get("details")
                return PressResult(
                    Outcome.REFUSED,
                    code=exc.code,
                    message=exc.message,
                    details=details if isinstance(details, dict) else None,
                    booking=press.booking,
                    lines=press.lines,
                )
            except (TimeoutError, ConnectionLost, ClientClosed):
                return PressResult(Outcome.SERVER_DOWN)
            ticket = reply["ticket"]
            if ticket.get("state") not in (None, "printing") and not renewed:
                # A retry answered with a reservation that meanwhile expired (or failed): that
                # number is gone (a booking is booked again); this press gets a fresh one.
                log.info("reservation %s is %s; issuing anew", ticket["number"], ticket["state"])
                self.pending = press.again()
                return await self._run(self.pending, renewed=True)
            press.ticket = ticket
            visit = reply.get("visit")
            press.visit = visit if isinstance(visit, dict) else None
        ticket = press.ticket
        printed = self.ticket_print(ticket, press.visit)
        async with self._printer_lock:
            result = await self.printer.print(render_ticket(printed, self.layout))
        self._printer_seen(result)
        self.pending = None
        if not result.printable:
            log.warning("ticket %s not printed: %s (%s)", ticket["number"], *_pair(result))
            reason = f"{result.state.value}: {result.detail}" if result.detail else result.state
            await self._report(
                "print_failed",
                request_id=f"{press.request_id}-failed",
                ticket=ticket["id"],
                reason=str(reason)[:200],
            )
            return PressResult(
                Outcome.PRINT_FAILED,
                ticket=ticket,
                printer=result,
                visit=press.visit,
                lines=press.lines,
            )
        self.last, self.last_id = printed, ticket["id"]
        log.info("ticket %s printed", ticket["number"])
        await self._report(
            "confirm_printed", request_id=f"{press.request_id}-printed", ticket=ticket["id"]
        )
        return PressResult(
            Outcome.PRINTED, ticket=ticket, printer=result, visit=press.visit, lines=press.lines
        )

    def ticket_print(
        self, ticket: dict[str, Any], visit: dict[str, Any] | None = None
    ) -> TicketPrint:
        """What goes on paper for an issued ticket (and, for a visit's first stop, the stops of
        its itinerary view)."""
        building = self.building
        if building is None:  # pragma: no cover - presses are offered only after the snapshot
            raise RuntimeError("no building yet")
        agency = building.agency(ticket.get("agency") or "")
        issued = datetime.fromisoformat(ticket["issued_at"]).astimezone(building.tz)
        booking = ticket.get("booking")
        return TicketPrint(
            building=building.name,
            agency=agency["name"] if agency else (ticket.get("agency") or ""),
            line_name=ticket.get("line_name") or ticket["line"],
            number=ticket["number"],
            issued_at=issued,
            zone_label=building.zone_label,
            people_ahead=int(ticket.get("people_ahead") or 0),
            estimated_wait_s=ticket.get("estimated_wait_s"),
            status_url=f"{self.public_base}/t/{ticket['token']}",
            priority=ticket.get("priority"),
            booking_slot=booking.get("slot") if isinstance(booking, dict) else None,
            itinerary=visit_stops(visit, building),
        )

    async def reprint(self) -> ReprintResult:
        """Print the last ticket again, marked as a copy, once the server has recorded it.

        The server keeps the record (`ticket_reprinted`, in the journal and on the floor's
        screen) and refuses a copy of a number that is finished, cancelled or expired. If it
        does not answer, the copy is printed anyway (the citizen is at the kiosk) and the kiosk's
        own log says it was not recorded.
        """
        if self.last is None or self.last_id is None:
            return ReprintResult(None, None)
        copy = replace(self.last, reprint=True)
        try:
            await self.client.record_reprint(self.last_id, timeout=self.issue_timeout_s)
            recorded = True
        except RequestError as refused:
            log.warning("REPRINT of ticket %s refused: %s", copy.number, refused)
            return ReprintResult(copy, None, refused=refused.message)
        except (ConnectionLost, ClientClosed, TimeoutError):
            recorded = False
        async with self._printer_lock:
            result = await self.printer.print(render_ticket(copy, self.layout))
        self._printer_seen(result)
        log.warning(
            "REPRINT of ticket %s by staff: %s (%s)",
            copy.number,
            result.state.value,
            "recorded by the server" if recorded else "NOT recorded: the server did not answer",
        )
        return ReprintResult(copy, result, recorded=recorded)

    # -- the printer's state ----------------------------------------------------------------

    async def check_printer(self) -> PrinterStatus:
        """Ask the printer now; the server hears of every change."""
        async with self._printer_lock:
            status = await self.printer.status()
        self._printer_seen(status)
        return status

    def _printer_seen(self, status: PrinterStatus) -> None:
        changed = self.printer_status is None or self.printer_status.state != status.state
        self.printer_status = status
        if changed:
            log.info("printer: %s (%s)", *_pair(status))
            if self._on_printer is not None:
                self._on_printer(status)
        if self._reported is None or self._reported.state != status.state:
            self._report_printer(status)

    def _report_printer(self, status: PrinterStatus) -> None:
        async def send() -> None:
            fields: dict[str, Any] = {"status": status.state.protocol_status}
            if status.detail or status.state in (PrinterState.TIMEOUT, PrinterState.RESET):
                fields["detail"] = (status.detail or status.state.value)[:200]
            try:
                await self.client.request("printer_status", timeout=5.0, **fields)
            except (RequestError, TimeoutError, ConnectionLost, ClientClosed) as exc:
                log.info("printer status not reported yet: %r", exc)
                if self._reported is status:
                    self._reported = None  # the next check tries again
                return

        # Taken as reported at once, so that checks while this is in flight do not repeat it.
        self._reported = status
        self._spawn(send())

    # -- reports that must arrive -----------------------------------------------------------

    async def _report(self, type: str, **fields: Any) -> None:
        """Queue a confirmation or failure; wait a little for it, then let the outbox carry it."""
        report = _Report(type, fields, asyncio.get_running_loop().create_future())
        self._outbox.put_nowait(report)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.confirm_wait_s):
                await asyncio.shield(report.done)

    async def _deliver(self) -> None:
        while True:
            report = await self._outbox.get()
            while True:
                try:
                    await self.client.request(report.type, timeout=10.0, **report.fields)
                except RequestError as exc:
                    # The server refuses (e.g. the reservation already expired): retrying the
                    # same request cannot change its mind.
                    log.warning("%s %s refused: %s", report.type, report.fields, exc)
                except (TimeoutError, ConnectionLost):
                    await asyncio.sleep(1.0)
                    continue
                except ClientClosed:
                    log.error("%s %s lost: client closed", report.type, report.fields)
                if not report.done.done():
                    report.done.set_result(None)
                break

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def visit_stops(visit: dict[str, Any] | None, building: BuildingInfo) -> tuple[VisitStop, ...]:
    """The stops of an itinerary view as the paper lists them (agency short name, service)."""
    if not visit:
        return ()
    stops = []
    for stop in visit.get("stops", []):
        agency = building.agency(stop.get("agency") or "")
        name = stop.get("agency_name") or (short_name(agency) if agency else stop.get("agency"))
        service = stop.get("name") or stop["line"]
        stops.append(VisitStop(str(name or ""), service, stop.get("number")))
    return tuple(stops)


def _pair(status: PrinterStatus) -> tuple[str, str]:
    return status.state.value, status.detail or "-"
