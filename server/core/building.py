"""The building as the queue core sees it: agencies, lines, counters, hours, people, policy.

Frozen dataclasses only. `server.config` builds a `Building` from a TOML file and validates it;
the core trusts what it is given. Times of day are naive `datetime.time` values in the building's
own local time; `Building.utc_offset_hours` turns an aware instant into that local time (Indonesia
has no daylight saving, so a fixed offset is exact: WIB +7, WITA +8, WIT +9).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import cached_property
from typing import ClassVar

from server.core.voice_text import DEFAULT_TEMPLATE, ReadingStyle

__all__ = [
    "END_OF_DAY",
    "PORTAL_REQUESTS_PER_MINUTE",
    "PORTAL_SCOPES",
    "TIMEZONE_OFFSETS",
    "Agency",
    "BookingRules",
    "BookingSettings",
    "Building",
    "ComplaintSettings",
    "Counter",
    "DayHours",
    "DeskDays",
    "Destination",
    "DestinationKind",
    "Device",
    "DeviceKind",
    "Holiday",
    "Line",
    "Manager",
    "ManagerRole",
    "Officer",
    "PhoneSettings",
    "PolicySettings",
    "Portal",
    "ServiceHours",
    "SpecialHours",
    "SurveySettings",
    "TimeRange",
    "VoiceConfig",
    "Zone",
]

# Indonesia's three zones. Keys are what a config may write; IANA names map to the same offsets.
TIMEZONE_OFFSETS: dict[str, int] = {
    "WIB": 7,
    "WITA": 8,
    "WIT": 9,
    "Asia/Jakarta": 7,
    "Asia/Pontianak": 7,
    "Asia/Makassar": 8,
    "Asia/Jayapura": 9,
}


# A closing time of "24:00": the end of the local day. A service day is one local calendar day
# (numbers restart at local midnight), so nothing runs past it; `time` has no 24:00, and the last
# instant of the day compares as the end of every half-open span here.
END_OF_DAY = time.max


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A span of local time within one day, start inclusive, end exclusive."""

    start: time
    end: time

    def contains(self, t: time) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True, slots=True)
class DayHours:
    """Service hours of one weekday: open..close with breaks (e.g. Friday prayer) inside."""

    open: time
    close: time
    breaks: tuple[TimeRange, ...] = ()


@dataclass(frozen=True, slots=True)
class SpecialHours:
    """A date range with its own weekly hours, e.g. Ramadan 08.00–14.00."""

    name: str
    start: date
    end: date  # inclusive
    weekly: tuple[DayHours | None, ...]  # index 0 = Monday … 6 = Sunday; None = closed


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    name: str


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ServiceHours:
    """A part-week service's own days and hours inside the building's.

    Imigrasi Monday–Thursday 08.00–14.00 is `ServiceHours(frozenset({0, 1, 2, 3}), 08:00, 14:00)`.
    The building's calendar still applies on top: a holiday closes it, special hours (Ramadan)
    and breaks narrow it (server/core/part_week.py).
    """

    days: frozenset[int] | None = None  # weekdays served, 0 = Monday; None: the building's days
    open: time | None = None  # None: when the building opens
    close: time | None = None  # None: when the building closes


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    short_name: str
    zone: str
    # Its own days and hours when it comes part-week; its lines inherit them. None: every day.
    service_hours: ServiceHours | None = None


@dataclass(frozen=True, slots=True)
class BookingRules:
    """A line's online booking (its `[lines.booking]` table): slots, places, the window.

    Slots start at the line's opening every `slot_min` minutes (server/core/slots.py). A slot
    holds `places` regular places and `priority_places` for the priority groups (Imigrasi:
    200 regular + 50 priority online a day). The check-in window runs from `check_in_early_min`
    before the slot's start to `check_in_late_min` after it; then the booking lapses.
    """

    slot_min: int
    places: int
    priority_places: int = 0
    days_ahead: int = 14  # the furthest bookable day, counted from today
    opens_at: time = time(0)  # local hour at which the newest day (today + days_ahead) opens
    closes_min_before: int = 60  # no booking of a slot that starts within this many minutes
    check_in_early_min: int = 30
    check_in_late_min: int = 15
    # From this local time booking for today closes and today's unused places join the
    # walk-in quota (docs/configuration.md, "Unused places"); None: they never do.
    release_unused_at: time | None = None
    documents: str | None = None  # what to bring, shown on the booking page

    @property
    def capacity(self) -> int:
        """Places per slot, regular and priority."""
        return self.places + self.priority_places


@dataclass(frozen=True, slots=True)
class BookingSettings:
    """The building's `[booking]` table: what holds for every line that takes bookings."""

    public_url: str | None = None  # base of the links in QR codes and on booking pages
    retention_days: int = 30  # personal data kept this many days after the booking's day
    max_active_per_phone: int = 3  # bookings not yet used, per phone number, building-wide
    requests_per_minute: int = 20  # per client address on the public booking paths
    # The reverse proxies whose X-Forwarded-For names the client (addresses or networks, as
    # written in the file): docs/operations.md, "Online booking on the internet".
    trusted_proxies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Line:
    """One queue line: one number sequence per day with one letter prefix."""

    prefix: str
    agency: str
    name: str
    target_service_min: float
    quota_walk_in: int | None = None  # None = no daily cap
    quota_priority: int | None = None
    cutoff: time | None = None  # last local time a new ticket is issued
    max_wait_min: float | None = None  # overrides PolicySettings.max_wait_min for this line
    # Its days and hours, its agency's filled in for what the line does not say (the config
    # resolves the inheritance); None: whenever the building is open.
    service_hours: ServiceHours | None = None
    booking: BookingRules | None = None  # None: the line takes no online bookings
    # Issue 22: prefixes of lines whose result this line needs first in a visit holding both
    # (BPJS Kesehatan after Kartu Keluarga). The config checks: known, not itself, no cycle.
    requires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeskDays:
    """The weekdays a shared desk belongs to one agency, and the lines it calls for it then."""

    days: frozenset[int]  # 0 = Monday
    agency: str
    serves: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Counter:
    """A loket. `number` is the label on the desk, which TVs show and the voice reads.

    A whole number (7: "silakan menuju loket tujuh") or a label as the building writes it ("3A",
    "1-01"); `spoken`, when the building file gives it, is the whole desk as the voice says it
    instead ("gerai BPJS"). How a label is read aloud is server/web/voice.py's.

    A desk shared by agencies on different days (KUA on Tuesday, the religious court on
    Thursday) has a `schedule`: it stays one counter with one id, number and name, and `on`
    gives it as it stands on a weekday. Its own `agency` is then "" and `serves` every line it
    calls on some day: whatever depends on the agency asks for the counter of the day.
    """

    id: str
    name: str
    number: int | str  # a label that is a whole number without a leading 0 is always an int
    zone: str
    agency: str
    serves: tuple[str, ...]  # line prefixes, in the order the config lists them
    priority: bool = False  # a priority counter prefers priority tickets
    spoken: str | None = None  # the desk as said aloud; None: "loket" and the number read aloud
    schedule: tuple[DeskDays, ...] = ()  # a shared desk's owners by weekday; () = one agency

    def on(self, weekday: int) -> Counter | None:
        """The counter on a weekday (0 = Monday): a shared desk as that day's agency's, with that
        day's lines; None on a day it belongs to nobody (closed)."""
        if not self.schedule:
            return self
        for part in self.schedule:
            if weekday in part.days:
                return replace(self, agency=part.agency, serves=part.serves, schedule=())
        return None

    @property
    def label(self) -> str:
        """The label on the desk as text: "7", "3A", "1-01"."""
        return str(self.number)


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    # The SKM survey (issue 20): a tablet facing the citizen at one counter (`counter`), and the
    # survey page at the building's exit, where a ticket's number is typed or its QR scanned.
    TABLET = "tablet"
    EXIT = "exit"


@dataclass(frozen=True, slots=True)
class Device:
    """A kiosk or TV. The token is a long random secret; only its SHA-256 is kept."""

    id: str
    kind: DeviceKind
    zone: str | None  # a display shows this zone; None = every zone
    token_sha256: str
    counter: str | None = None  # a tablet's counter (the survey of the ticket just finished there)


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str
    agency: str
    pin_hash: str  # see server.auth: "scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>"
    # Issue 23: an account an administrator switched off (TOML `disabled = true`): refused at
    # login ("Akun Anda dinonaktifkan; hubungi admin."), logged out at once when set live.
    disabled: bool = False


class ManagerRole(StrEnum):
    FLOOR = "floor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Manager:
    id: str
    name: str
    role: ManagerRole
    pin_hash: str


# What a portal may do (issue 21): read only, or read and book (the default, issue 19's).
PORTAL_SCOPES = ("read", "book")
# A portal's requests a minute when its entry names none: two a second on average, a minute's
# worth at once (a portal polling /api/v1/today every few seconds never meets it).
PORTAL_REQUESTS_PER_MINUTE = 120


@dataclass(frozen=True, slots=True)
class Portal:
    """An integrator (a regency portal, MPP Digital) that books through the JSON API (issue 19).

    Like a device, it holds a long random token of which the building file keeps only the
    SHA-256; its bookings carry the channel "api:<id>". A portal of `scope` "read" may only read
    (issue 21: today's services, a ticket's status, the day's figures); "book" reads and books.
    Each is held to `requests_per_minute` of its own (a token bucket, server/web/booking/api.py),
    so one integrator's loop cannot take the server's time from the others."""

    id: str
    name: str
    token_sha256: str
    scope: str = "book"  # "read" or "book" (PORTAL_SCOPES)
    requests_per_minute: int = PORTAL_REQUESTS_PER_MINUTE


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """Calling-policy knobs; docs/calling-policy.md explains each."""

    # After a priority call on a line, at least this many regular tickets of that line are called
    # (when any wait) before the next priority ticket: 2 = "one priority after every two regular".
    regular_per_priority: int = 2
    # A waiting ticket older than this is called before anything else (oldest first).
    max_wait_min: float = 60.0
    # A counter marked priority calls priority tickets first, ignoring the ratio.
    priority_counter_first: bool = True
    # Protect regular tickets: a priority ticket does not go ahead of a regular ticket once
    # that would make it wait longer than plain arrival order would by more than
    # max(regular_delay_pct % of its FIFO wait, one overtaking on its line, regular_delay_min)
    # (estimated; see policy.py). One overtaking is a service estimate over the line's open
    # counters; regular_delay_min is an optional extra floor in minutes, none (0) by default.
    protect_regular: bool = True
    regular_delay_pct: float = 25.0
    regular_delay_min: float = 0.0
    # The same guard for booked citizens going ahead (issue 19), counted apart: their jumps may
    # delay a regular ticket by max(booking_delay_pct % of its FIFO wait, one overtaking,
    # regular_delay_min), beside what priority citizens may.
    booking_delay_pct: float = 50.0
    # A no-show may be reactivated this long after it was marked, regaining its place.
    noshow_window_min: float = 30.0
    # A ticket reserved for printing that is neither confirmed nor failed expires after this.
    printing_timeout_s: float = 120.0
    # Waiting, called and no-show tickets expire this long after closing time; a ticket being
    # served is left to finish and only expires when the day ends.
    closing_grace_min: float = 60.0
    # How many recent services per line feed the service-time estimate.
    estimate_window: int = 20
    # A visit's next stop is queued at max(visit start, hand-on - this): the citizen is not
    # punished for having been served elsewhere, nor put ahead of anyone who waited longer
    # than this there (docs/calling-policy.md, "A visit's next stop"; issue 22).
    visit_credit_min: float = 15.0
    # The most stops (lines) one visit may hold, 2..6.
    visit_max_stops: int = 4
    # Issue 23: an officer may not close an open or paused counter during its service hours
    # (close_counter, logout) without a manager's approval (request_closure); a pause stays
    # free. Off by default: `[[managers]]` is optional, and nobody could approve
    # (server/core/closures.py, docs/configuration.md).
    closure_approval: bool = False


@dataclass(frozen=True, slots=True)
class VoiceConfig:
    """How TVs read a call aloud: the building's [voice] table, spoken by server/web/voice.py.

    Pure data, validated by server/config/settings.py; the template's placeholders and the
    reading styles are those of server/core/voice_text.py.
    """

    style: str = ReadingStyle.DIGITS.value  # digits: "B nol satu tujuh"; number: "B tujuh belas"
    template: str = DEFAULT_TEMPLATE
    agency: bool = False  # say the agency's short name after the counter
    speed_wpm: int = 140  # words per minute; espeak-ng's default 175 is hurried in an echoing hall
    # Not in the building file (a class constant, so not one of its [voice] keys): every building
    # speaks with espeak-ng's Indonesian voice, with a little air between words, which helps
    # digit-by-digit reading.
    espeak_voice: ClassVar[str] = "id"
    word_gap_10ms: ClassVar[int] = 1


@dataclass(frozen=True, slots=True)
class PhoneSettings:
    """The citizen's phone page: the building's [phone] table (server/config/settings.py).

    When the page warns that the turn is near is server/core/phone_alerts.py's rule.
    """

    # The page warns (sound, vibration, a banner) once the ticket waits with at most this many
    # people ahead of it: time to walk back to the waiting room.
    warn_when_ahead: int = 3


@dataclass(frozen=True, slots=True)
class SurveySettings:
    """The SKM survey (PermenPANRB 14/2017; issue 20): the building's `[survey]` table."""

    enabled: bool = True
    # The phone page offers the survey from the end of the service for this many days.
    days_open: int = 7
    # IKM by wait band (minutes): (15, 60) gives "< 15", "15–60", "> 60".
    wait_bands_min: tuple[int, ...] = (15, 60)
    # The public page's period: "month", "quarter", "semester" or "year" (the current one so
    # far, and the last whole one).
    public_period: str = "quarter"
    running_text: bool = False  # the TVs' running text also shows the building's IKM and grade
    requests_per_minute: int = 10  # per client address, on the survey and complaint forms
    tablet_idle_s: int = 90  # a counter tablet returns to idle this long after an offer


@dataclass(frozen=True, slots=True)
class ComplaintSettings:
    """Complaints (pengaduan; DOMAIN §10, SP4N-LAPOR!'s deadlines): the `[complaints]` table."""

    days_open: int = 30  # a complaint may be filed about a visit this many days after it
    take_days: int = 3  # working days to take a received complaint in hand (LAPOR!: forwarded in 3)
    answer_days: int = 5  # working days to answer once taken in hand (LAPOR!: 5)
    close_days: int = 10  # days after the answer at which it closes by itself (LAPOR!: 10)
    warn_days: int = 1  # the floor is warned this many working days before a deadline


# Not slotted: __post_init__ caches lookup dicts as extra attributes, which slots would forbid.


class DestinationKind(StrEnum):
    WEBHOOK = "webhook"  # an integrator's URL (`[[webhooks]]`): the events it asked for
    CENTRAL = "central"  # the regency's or province's `antre central` (`[central]`): every event


@dataclass(frozen=True, slots=True)
class Destination:
    """Where the building's events are delivered, signed (issue 21, docs/protocol.md "Signed
    deliveries"): an integrator's webhook or a central server. The delivery itself is
    server/outbox/'s; the core only carries what the building file says."""

    id: str  # a webhook's id; "central" for central
    kind: DestinationKind
    url: str  # the webhook's URL; central's base URL (its paths are /central/v1/…)
    secret: bytes = field(repr=False)  # the shared secret (≥ 32 bytes): never logged
    events: frozenset[str] | None = None  # the kinds wanted; None: every kind (central: always)
    personal_data: bool = False  # names, phones, NIK digits and citizens' free text go too
    alert_after_minutes: float = 30.0  # failing this long raises the floor's alert
    batch_size: int = 100  # events per request at most
    # Where `secret` was read from (an absolute path), so the building can be written out again
    # (`antre config export`) naming the file, never the secret; not part of the destination's
    # identity: the same secret read through another path is the same destination.
    secret_file: str | None = field(default=None, compare=False, repr=False)

    def wants(self, kind: str) -> bool:
        return self.events is None or kind in self.events


@dataclass(frozen=True)
class Building:
    name: str
    timezone: str  # "WIB" / "WITA" / "WIT" or an IANA name from TIMEZONE_OFFSETS
    weekly: tuple[DayHours | None, ...]  # index 0 = Monday … 6 = Sunday; None = closed
    zones: tuple[Zone, ...]
    agencies: tuple[Agency, ...]
    lines: tuple[Line, ...]
    counters: tuple[Counter, ...]
    devices: tuple[Device, ...] = ()
    officers: tuple[Officer, ...] = ()
    managers: tuple[Manager, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    special_hours: tuple[SpecialHours, ...] = ()
    policy: PolicySettings = field(default_factory=PolicySettings)
    running_text: str = ""  # the TV's scrolling line
    voice: VoiceConfig = field(default_factory=VoiceConfig)
    booking: BookingSettings = field(default_factory=BookingSettings)
    phone: PhoneSettings = field(default_factory=PhoneSettings)  # the phone page (issue 19)
    portals: tuple[Portal, ...] = ()  # the JSON API's integrators (`[[portals]]`)
    survey: SurveySettings = field(default_factory=SurveySettings)  # `[survey]` (issue 20)
    complaints: ComplaintSettings = field(default_factory=ComplaintSettings)  # `[complaints]`
    # Issue 21: the building's id among many ("mpp-kota-contoh", server.signing.BUILDING_ID_RE),
    # required once it sends anything out; and where its events go (`[[webhooks]]`, `[central]`).
    id: str | None = None
    destinations: tuple[Destination, ...] = ()

    # Lookup tables built once; the core reads them on every command.
    def __post_init__(self) -> None:
        object.__setattr__(self, "_lines", {ln.prefix: ln for ln in self.lines})
        object.__setattr__(self, "_counters", {c.id: c for c in self.counters})
        object.__setattr__(self, "_agencies", {a.code: a for a in self.agencies})
        # Each weekday's counters, shared desks resolved to that day's agency (None: nobody's).
        week = tuple({c.id: c.on(weekday) for c in self.counters} for weekday in range(7))
        object.__setattr__(self, "_week_counters", week)

    # Made once (cached_property writes the instance's __dict__, which a frozen dataclass
    # allows): the core reads the zone several times a command, a booking refusal a dozen
    # (docs/benchmarks.md, "The booking storm").
    @cached_property
    def tz(self) -> timezone:
        hours = TIMEZONE_OFFSETS[self.timezone]
        return timezone(timedelta(hours=hours), self.zone_label)

    @cached_property
    def zone_label(self) -> str:
        """WIB / WITA / WIT, as printed on tickets."""
        return {7: "WIB", 8: "WITA", 9: "WIT"}[TIMEZONE_OFFSETS[self.timezone]]

    def local(self, instant: datetime) -> datetime:
        """The building's wall-clock time of an aware instant."""
        return instant.astimezone(self.tz)

    def service_day(self, instant: datetime) -> date:
        """The local calendar day an instant belongs to; numbering resets at local midnight."""
        return self.local(instant).date()

    def line(self, prefix: str) -> Line | None:
        return self._lines.get(prefix)  # type: ignore[attr-defined]

    def counter(self, counter_id: str) -> Counter | None:
        return self._counters.get(counter_id)  # type: ignore[attr-defined]

    def agency(self, code: str) -> Agency | None:
        return self._agencies.get(code)  # type: ignore[attr-defined]

    def person_name(self, person: str | None) -> str | None:
        """The name of an officer's or manager's id (ids are unique across both); None for
        nobody, or an id the building lacks."""
        if person is None:
            return None
        people = (*self.officers, *self.managers)
        return next((p.name for p in people if p.id == person), None)

    def counters_on(self, day: date) -> dict[str, Counter | None]:
        """Every counter by id as it stands on `day`: a shared desk as that day's agency's, or
        None when it belongs to nobody that day. Do not change the dict: it is shared."""
        return self.counters_on_weekday(day.weekday())

    def counters_on_weekday(self, weekday: int) -> dict[str, Counter | None]:
        """`counters_on` by weekday number, 0 = Monday."""
        return self._week_counters[weekday]  # type: ignore[attr-defined,no-any-return]

    def counters_serving(self, prefix: str) -> tuple[Counter, ...]:
        return tuple(c for c in self.counters if prefix in c.serves)

    def max_wait_min(self, prefix: str) -> float:
        line = self.line(prefix)
        if line is not None and line.max_wait_min is not None:
            return line.max_wait_min
        return self.policy.max_wait_min
