"""When the citizen's phone page warns, and what it says to a citizen who missed the call.

A citizen with a ticket may leave the waiting room and follow the queue on the phone page
(server/web/phone.py). The page warns with sound and vibration at two moments, each decided here:

- **few ahead**: the ticket waits and at most `warn_when_ahead` people are ahead of it (the
  building's `[phone]` setting): time to walk back. Once per waiting spell: issued, reactivated
  after a no-show, or transferred to another line — a count that goes up again (a priority
  citizen went first) and comes back down does not warn twice.
- **called**: the number is called, with the counter to go to; each recall is a new call
  (`Ticket.calls` moves) and warns again.

Each warning has a `key` naming that one occurrence. The page keeps the keys it has announced
(per ticket, in the browser's storage), so a reload never chimes twice for the same call.

A citizen marked as not present (no-show) reads the building's reactivation rule
(`noshow_note`): until when an officer of the line's agency or the floor staff may put the
number back at its place (PolicySettings.noshow_window_min after the mark, the same bound the
core's `reactivate` and `call_ticket` enforce: docs/protocol.md), and what happens after it.
Times are the building's wall clock with its zone, written by server/core/dates.py. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from server.core.building import Building
from server.core.dates import format_clock_in_zone
from server.core.model import Ticket, TicketState

__all__ = [
    "MAX_WARN_WHEN_AHEAD",
    "AlertKind",
    "PhoneAlert",
    "alert_of",
    "noshow_note",
    "reactivation_deadline",
]

# The largest `[phone] warn_when_ahead` a building may set: "few" people, a walk back in time.
MAX_WARN_WHEN_AHEAD: Final = 50


class AlertKind(StrEnum):
    FEW_AHEAD = "few_ahead"
    CALLED = "called"


@dataclass(frozen=True, slots=True)
class PhoneAlert:
    """One warning the page shows and announces once (sound, vibration)."""

    kind: AlertKind
    key: str  # this occurrence: "called-2" (the second call or recall), "few_ahead-0-0"
    title: str  # the banner's first line
    text: str  # the banner's large line: "Silakan menuju Loket 7"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "key": self.key, "title": self.title, "text": self.text}


def alert_of(
    ticket: Ticket, people_ahead: int | None, counter_name: str | None, warn_when_ahead: int
) -> PhoneAlert | None:
    """The warning a ticket's page shows now, or None.

    Called: while the ticket is called (not yet served), naming the counter. Few ahead: while
    it waits with at most `warn_when_ahead` people ahead. `people_ahead` is the calling
    policy's count (None when the ticket is not waiting), `counter_name` what the page shows
    of the calling counter ("Loket 7").
    """
    if ticket.state is TicketState.CALLED:
        # Any call after the first (a recall, a call after a reactivation or a transfer).
        title = "Nomor Anda dipanggil lagi" if ticket.calls > 1 else "Nomor Anda dipanggil"
        where = f"Silakan menuju {counter_name}" if counter_name else "Silakan menuju loket"
        return PhoneAlert(AlertKind.CALLED, f"called-{ticket.calls}", title, where)
    if ticket.state is not TicketState.WAITING or people_ahead is None:
        return None
    if people_ahead > warn_when_ahead:
        return None
    # A waiting spell starts at the issue, at a reactivation (after a call) and at a transfer:
    # `calls` and the number of transfers tell the spells apart.
    key = f"few_ahead-{ticket.calls}-{len(ticket.transfers)}"
    if people_ahead == 0:
        text = "Anda berikutnya. Segera kembali ke ruang tunggu."
    else:
        text = f"Tinggal {people_ahead} orang di depan Anda. Segera kembali ke ruang tunggu."
    return PhoneAlert(AlertKind.FEW_AHEAD, key, "Giliran Anda sebentar lagi", text)


def reactivation_deadline(ticket: Ticket, window_min: float) -> datetime | None:
    """The last instant a no-show may be reactivated, or None for a ticket not marked so."""
    if ticket.state is not TicketState.NO_SHOW or ticket.no_show_at is None:
        return None
    return ticket.no_show_at + timedelta(minutes=window_min)


def noshow_note(ticket: Ticket, now: datetime, building: Building) -> str | None:
    """The building's reactivation rule for a ticket marked as not present; None otherwise.

    Before the deadline: until when, and for how many minutes from the mark, an officer of the
    line's agency or the floor staff may put the number back at its place, and that it cannot
    be after. Past the deadline (or with no window at all): that it cannot, and to take a new
    number. The times are the building's wall clock, hours and minutes, with its zone.
    """
    window = building.policy.noshow_window_min
    deadline = reactivation_deadline(ticket, window)
    if deadline is None or ticket.no_show_at is None:
        return None
    zone = building.zone_label
    marked = format_clock_in_zone(building.local(ticket.no_show_at), zone)
    until = format_clock_in_zone(building.local(deadline), zone)
    minutes = _minutes(window)
    line = building.line(ticket.line)
    agency = building.agency(line.agency) if line else None
    where = f"petugas loket {agency.short_name}" if agency else "petugas loket"
    missed = f"Nomor Anda dipanggil, tetapi Anda tidak hadir (dicatat pukul {marked})."
    anew = "Silakan ambil nomor antrean baru di kiosk bila layanan masih menerima nomor hari ini."
    if window <= 0:
        return f"{missed} Nomor ini tidak dapat diaktifkan kembali. {anew}"
    if now > deadline:  # the core refuses past this instant (noshow_window_passed)
        return (
            f"{missed} Batas waktu untuk mengaktifkan kembali nomor ini, pukul {until} "
            f"({minutes} menit), sudah lewat: nomor ini tidak dapat diaktifkan lagi. {anew}"
        )
    return (
        f"{missed} Anda masih dapat meminta nomor ini diaktifkan kembali dalam {minutes} menit, "
        f"sampai pukul {until}: temui {where} atau petugas lantai. Nomor Anda kembali ke "
        f"tempatnya semula dalam antrean. Lewat pukul {until}, nomor ini tidak dapat "
        f"diaktifkan lagi. {anew}"
    )


def _minutes(value: float) -> str:
    """30 -> "30", 7.5 -> "7,5" (a decimal comma, as Indonesians write it)."""
    return f"{value:g}".replace(".", ",")
