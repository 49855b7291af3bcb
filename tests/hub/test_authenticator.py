"""Who a hello makes a session speak for: `roles.Authenticator` without a socket.

The expectations come from docs/protocol.md ("Roles and credentials", the `welcome` example and
the error and close-code tables) and the demo building's people (server/demo): a kiosk's token
makes a kiosk, never a TV; an officer sits only at a counter of their own agency; a manager is
floor or admin as the building file says; a ticket's public token names that one ticket. The PIN
lockout has its own tests (test_lockout.py); here every PIN is either right or wrong once.
These run in well under a second, so `make mutate` uses them for server/roles.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hubtest import demo_building, demo_credentials, hello_for
from kabupaten import FRI, THU, TUE, WED, at, kabupaten

from server import protocol as p
from server.auth import hash_pin
from server.core.building import Building
from server.roles import Authenticator, AuthError, Principal, Role


@dataclass(frozen=True)
class _Ticket:
    id: str
    number: str
    visit: str | None = None  # a plain ticket (issue 22: a stop of a visit names it)


TODAYS_TOKEN = "Fwl6noCLF-rEgp4iVfFVXA"  # docs/protocol.md's example of a public token
TODAYS_TICKET = _Ticket("2026-11-23/A-017", "A-017")


def _authenticator(looked_up: list[str] | None = None) -> Authenticator:
    def tickets(token: str) -> Any:
        if looked_up is not None:
            looked_up.append(token)
        return TODAYS_TICKET if token == TODAYS_TOKEN else None

    return Authenticator(demo_building(), tickets=tickets)


async def _principal(hello: dict[str, Any], auth: Authenticator | None = None) -> Principal:
    return await (auth or _authenticator()).authenticate(hello)


async def _refusal(hello: dict[str, Any], auth: Authenticator | None = None) -> AuthError:
    with pytest.raises(AuthError) as refused:
        await (auth or _authenticator()).authenticate(hello)
    return refused.value


# -- devices ----------------------------------------------------------------------------------


async def test_a_kiosk_token_makes_that_kiosk() -> None:
    kiosk = await _principal(hello_for("KIOSK-1"))
    assert (kiosk.role, kiosk.id, kiosk.actor) == (Role.KIOSK, "KIOSK-1", "kiosk:KIOSK-1")
    assert kiosk.describe() == {"id": "KIOSK-1", "name": "KIOSK-1"}


async def test_a_tv_token_makes_a_display_bound_to_its_zone() -> None:
    tv = await _principal(hello_for("TV-2"))
    assert (tv.role, tv.id, tv.zone) == (Role.DISPLAY, "TV-2", "2")
    assert tv.describe() == {"id": "TV-2", "name": "TV-2", "zone": "2"}


@pytest.mark.parametrize(
    ("role", "token_of"),
    [("display", "KIOSK-1"), ("kiosk", "TV-1"), ("ticket", "KIOSK-1")],
    ids=["kiosk-token-as-tv", "tv-token-as-kiosk", "kiosk-token-as-ticket"],
)
async def test_a_device_token_is_good_only_for_its_own_kind(role: str, token_of: str) -> None:
    hello = {"type": "hello", "version": 1, "role": role, "token": demo_credentials()[token_of]}
    refused = await _refusal(hello)
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)


async def test_an_unknown_device_token_is_auth_failed() -> None:
    refused = await _refusal(p.hello_kiosk("demo-kiosk-9-not-in-the-building-file"))
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)


# -- officers and managers ----------------------------------------------------------------------


async def test_an_officer_at_a_counter_of_their_agency_is_the_welcome_of_the_docs() -> None:
    officer = await _principal(hello_for("DKP01@L01"))
    assert officer.role is Role.OFFICER
    # docs/protocol.md, `welcome`: the principal an officer's client may show about itself.
    assert officer.describe() == {
        "id": "DKP01",
        "name": "Siti Rahmawati",
        "counter": "L01",
        "agency": "DUKCAPIL",
    }
    # docs/reports.md names an officer in the log as officer:DKP01@L01.
    assert officer.actor == "officer:DKP01@L01"


async def test_an_officer_at_another_agencys_counter_is_forbidden_and_closed() -> None:
    # L08 is a Samsat counter; DKP01 works for Dukcapil.
    refused = await _refusal(hello_for("DKP01@L08"))
    assert (refused.code, refused.close_code) == ("forbidden", 4001)
    # The officer reads which counter, as it is labelled, and why: no doubled "loket Loket 8".
    assert refused.message == "Petugas ini bukan dari instansi yang melayani Loket 8."


async def test_an_unknown_counter_is_auth_failed() -> None:
    refused = await _refusal(p.hello_officer("L99", "DKP01", demo_credentials()["DKP01"]))
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)
    assert "L99" in refused.message


@pytest.mark.parametrize(
    "hello",
    [
        p.hello_officer("L01", "DKP01", "000000"),  # wrong PIN
        p.hello_officer("L01", "DKP99", "853692"),  # unknown officer (DKP01's PIN)
        p.hello_manager("LANTAI", "000000"),
        p.hello_manager("NOBODY", "472315"),  # unknown manager (LANTAI's PIN)
        p.hello_manager("DKP01", "853692"),  # an officer is no manager
    ],
    ids=["wrong-pin", "unknown-officer", "wrong-manager-pin", "unknown-manager", "officer-as-mgr"],
)
async def test_wrong_pins_and_unknown_ids_are_refused_alike(hello: dict[str, Any]) -> None:
    refused = await _refusal(hello)
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)
    assert refused.message.startswith("ID atau PIN salah.")


@pytest.mark.parametrize(
    ("manager", "role", "name"),
    [("LANTAI", Role.FLOOR, "Bambang Sutrisno"), ("ADMIN", Role.ADMIN, "Ratna Kusumawati")],
)
async def test_a_manager_is_floor_or_admin_as_the_building_file_says(
    manager: str, role: Role, name: str
) -> None:
    person = await _principal(hello_for(manager))
    assert (person.role, person.id, person.name) == (role, manager, name)
    assert person.actor == f"manager:{manager}"  # docs/operations.md: the log's actor
    assert person.describe() == {"id": manager, "name": name}


# -- the citizen's phone -----------------------------------------------------------------------


async def test_todays_ticket_token_makes_a_session_that_names_the_ticket_not_the_token() -> None:
    phone = await _principal(p.hello_ticket(TODAYS_TOKEN))
    assert (phone.role, phone.id, phone.name) == (Role.TICKET, TODAYS_TICKET.id, "A-017")
    assert TODAYS_TOKEN not in repr(phone.describe()) + phone.actor


@pytest.mark.parametrize(
    "token",
    [
        "Fwl6noCLF-rEgp4iVfFVXB",  # well formed, but no ticket of today has it
        "short",  # shorter than any token the server hands out
        "x" * 65,  # longer than any
        "../../etc/passwd",  # not a urlsafe token at all
    ],
)
async def test_an_unknown_or_malformed_ticket_token_is_auth_failed(token: str) -> None:
    looked_up: list[str] = []
    refused = await _refusal(p.hello_ticket(token), _authenticator(looked_up))
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)
    if token != "Fwl6noCLF-rEgp4iVfFVXB":
        assert looked_up == [], "a token that cannot be one is never looked up"


async def test_a_server_without_ticket_lookups_refuses_every_ticket_token() -> None:
    refused = await _refusal(p.hello_ticket(TODAYS_TOKEN), Authenticator(demo_building()))
    assert (refused.code, refused.close_code) == ("auth_failed", 4001)


# -- a hello without its credentials ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        ("kiosk", "token"),
        ("display", "token"),
        ("ticket", "token"),
        ("officer", "counter"),
        ("officer", "officer"),
        ("officer", "pin"),
        ("manager", "manager"),
        ("manager", "pin"),
    ],
)
@pytest.mark.parametrize("blank", [None, ""], ids=["absent", "empty"])
async def test_a_hello_without_a_credential_is_bad_message_and_closed_4003(
    role: str, missing: str, blank: str | None
) -> None:
    full = {
        "kiosk": hello_for("KIOSK-1"),
        "display": hello_for("TV-1"),
        "ticket": p.hello_ticket(TODAYS_TOKEN),
        "officer": hello_for("DKP01@L01"),
        "manager": hello_for("LANTAI"),
    }[role]
    hello = {k: v for k, v in full.items() if k != missing}
    if blank is not None:
        hello[missing] = blank
    refused = await _refusal(hello)
    assert (refused.code, refused.close_code) == ("bad_message", 4003)
    # What is missing, in the words of the login form, never the field's name.
    words = {
        "token": "token perangkat",
        "counter": "kode loket",
        "officer": "ID petugas",
        "manager": "ID pengelola",
        "pin": "PIN",
    }[missing]
    assert refused.message == f"Data masuk belum lengkap: {words} wajib diisi."


# -- audiences: who hears the same frames -------------------------------------------------------


async def test_audiences_group_sessions_as_the_docs_say() -> None:
    auth = _authenticator()
    kiosk1, kiosk2 = [await _principal(hello_for(k), auth) for k in ("KIOSK-1", "KIOSK-2")]
    tv1, tv2 = [await _principal(hello_for(t), auth) for t in ("TV-1", "TV-2")]
    dkp01, dkp02, sms01 = [
        await _principal(hello_for(o), auth) for o in ("DKP01@L01", "DKP02@L02", "SMS01@L08")
    ]
    floor, admin = [await _principal(hello_for(m), auth) for m in ("LANTAI", "ADMIN")]
    phone = await _principal(p.hello_ticket(TODAYS_TOKEN), auth)
    every_tv = Principal(Role.DISPLAY, "TV-X", "TV-X", "display:TV-X", zone=None)
    # Each kiosk hears of its own tickets only; each zone's TVs their zone; officers their agency;
    # floor and admin the whole building, the same frames.
    assert kiosk1.audience != kiosk2.audience
    assert tv1.audience != tv2.audience != every_tv.audience != tv1.audience
    assert dkp01.audience == dkp02.audience != sms01.audience
    assert floor.audience == admin.audience
    audiences = [kiosk1, tv1, every_tv, dkp01, floor, phone]
    assert len({a.audience for a in audiences}) == len(audiences)


# -- what a refused person reads, and whose refusals count -------------------------------------


async def test_refusals_tell_people_what_went_wrong_in_indonesian() -> None:
    device = await _refusal(p.hello_kiosk("demo-kiosk-9-not-in-the-building-file"))
    assert "Token perangkat" in device.message
    phone = await _refusal(p.hello_ticket("Fwl6noCLF-rEgp4iVfFVXB"))
    assert "antrean" in phone.message


async def test_a_tv_is_named_in_the_log_like_every_other_device() -> None:
    # The log's actor is "<role>:<id>" (docs/protocol.md: kiosk:KIOSK-1, manager:LANTAI).
    tv = await _principal(hello_for("TV-1"))
    assert tv.actor == "display:TV-1"


async def test_one_persons_wrong_pins_lock_that_person_only() -> None:
    """docs/protocol.md: 5 wrong PINs for one id from one device hold that id there (all these
    come from one address); other ids still log in."""
    auth = _authenticator()
    for _ in range(5):
        await _refusal(p.hello_officer("L01", "DKP01", "000000"), auth)
    assert (await _refusal(hello_for("DKP01@L01"), auth)).code == "locked"
    # Another officer of the same agency and the floor manager still log in.
    assert (await _principal(hello_for("DKP02@L02"), auth)).id == "DKP02"
    assert (await _principal(hello_for("LANTAI"), auth)).id == "LANTAI"
    # And one manager's wrong PINs lock neither the other manager nor an officer.
    for _ in range(5):
        await _refusal(p.hello_manager("LANTAI", "000000"), auth)
    assert (await _refusal(hello_for("LANTAI"), auth)).code == "locked"
    assert (await _principal(hello_for("ADMIN"), auth)).id == "ADMIN"
    assert (await _principal(hello_for("SMS01@L08"), auth)).id == "SMS01"


async def test_an_unknown_id_costs_a_pin_check_like_a_known_one(monkeypatch) -> None:
    """A wrong id must not answer faster than a wrong PIN: that would tell ids apart."""
    import server.roles

    checked: list[str] = []
    hashes: list[str] = []
    real = server.roles.verify_pin

    def counting(pin: str, stored: str) -> bool:
        checked.append(pin)
        hashes.append(stored)
        return real(pin, stored)

    monkeypatch.setattr(server.roles, "verify_pin", counting)
    await _refusal(p.hello_officer("L01", "DKP99", "111111"))
    await _refusal(p.hello_manager("NOBODY", "222222"))
    assert checked == ["111111", "222222"]
    # Checked against a real hash (scrypt, as slow as a real one), never against nothing.
    assert all(h.startswith("scrypt$") for h in hashes)
    # A building with managers only checks unknown ids against a manager's hash.
    hashes.clear()
    no_officers = replace(demo_building(), officers=())
    await _refusal(p.hello_manager("NOBODY", "333333"), Authenticator(no_officers))
    assert checked[-1] == "333333" and hashes and hashes[0].startswith("scrypt$")


# -- a desk shared by agencies on different days ------------------------------------------------
#
# docs/examples/mpp-kabupaten-contoh.toml: Loket 7 (L07) is the KUA's on Tuesdays and the
# religious court's (Pengadilan Agama, PA) on Thursdays, nobody's on the other days; the building
# is in WITA. The sentences are docs/protocol.md's table of refusals, written out by hand.

_KUA_AT_L07_ON_THURSDAY = (
    "Hari ini Loket 7 dipakai Pengadilan Agama; KUA memakainya pada hari Selasa"
)
_PA_AT_L07_ON_TUESDAY = "Hari ini Loket 7 dipakai KUA; Pengadilan Agama memakainya pada hari Kamis"
_L07_ON_WEDNESDAY = (
    "Loket 7 tidak dipakai hari ini; loket ini dipakai KUA pada hari Selasa dan Pengadilan Agama "
    "pada hari Kamis"
)
_DUKCAPIL_AT_L07_ON_TUESDAY = "Loket 7 adalah loket KUA, bukan loket instansi Anda"
_SHARED_PIN = "251994"


@cache
def _kabupaten_cheap() -> Building:
    """The example building, every officer's PIN `_SHARED_PIN` with a cheap hash (fast tests)."""
    b = kabupaten()
    cheap = hash_pin(_SHARED_PIN, n=16)
    return replace(b, officers=tuple(replace(o, pin_hash=cheap) for o in b.officers))


async def _at_l07(officer: str, now: datetime) -> Principal | AuthError:
    auth = Authenticator(_kabupaten_cheap(), wall_clock=lambda: now)
    try:
        return await auth.authenticate(p.hello_officer("L07", officer, _SHARED_PIN), "10.0.0.7")
    except AuthError as refused:
        return refused


@pytest.mark.parametrize(
    ("officer", "day", "agency"),
    [("KUA01", TUE, "KUA"), ("PA01", THU, "PA")],
    ids=["kua-on-tuesday", "court-on-thursday"],
)
async def test_a_shared_desk_welcomes_the_officer_of_its_days_agency(
    officer: str, day: date, agency: str
) -> None:
    welcomed = await _at_l07(officer, at(day, "09:00"))
    assert isinstance(welcomed, Principal), welcomed
    assert welcomed.role is Role.OFFICER
    assert (welcomed.counter, welcomed.agency) == ("L07", agency)
    assert welcomed.actor == f"officer:{officer}@L07"


@pytest.mark.parametrize(
    ("officer", "day", "message"),
    [
        ("PA01", TUE, _PA_AT_L07_ON_TUESDAY),
        ("KUA01", THU, _KUA_AT_L07_ON_THURSDAY),
        ("KUA01", WED, _L07_ON_WEDNESDAY),
        ("PA01", WED, _L07_ON_WEDNESDAY),
        ("KUA01", FRI, _L07_ON_WEDNESDAY),
        ("DKP01", TUE, _DUKCAPIL_AT_L07_ON_TUESDAY),
    ],
    ids=[
        "court-on-tuesday",
        "kua-on-thursday",
        "kua-on-wednesday",
        "court-on-wednesday",
        "kua-on-friday",
        "dukcapil-on-tuesday",
    ],
)
async def test_a_shared_desk_refuses_everyone_else_saying_whose_day_it_is(
    officer: str, day: date, message: str
) -> None:
    refused = await _at_l07(officer, at(day, "09:00"))
    assert isinstance(refused, AuthError), refused
    assert (refused.code, refused.close_code) == ("forbidden", 4001)
    assert refused.message == message


async def test_a_shared_desk_goes_by_the_buildings_day_not_utcs() -> None:
    """00.30 WITA on Tuesday is still Monday 16.30 in UTC: the desk is the KUA's already. At
    23.30 WITA on Tuesday (15.30 UTC) it still is; at 00.30 WITA on Wednesday it is nobody's."""
    assert isinstance(await _at_l07("KUA01", at(TUE, "00:30")), Principal)
    assert isinstance(await _at_l07("KUA01", at(TUE, "23:30")), Principal)
    late = await _at_l07("KUA01", at(WED, "00:30"))
    assert isinstance(late, AuthError) and late.message == _L07_ON_WEDNESDAY


async def test_without_a_wall_clock_a_shared_desk_goes_by_todays_date_in_the_buildings_zone() -> (
    None
):
    """The hub always gives a clock; without one the real date counts, in WITA (Asia/Makassar):
    the KUA's officer is welcomed at Loket 7 on a Tuesday only."""
    auth = Authenticator(_kabupaten_cheap())
    hello = p.hello_officer("L07", "KUA01", _SHARED_PIN)
    if datetime.now(ZoneInfo("Asia/Makassar")).weekday() == 1:
        assert (await auth.authenticate(hello)).counter == "L07"
    else:
        assert (await _refusal(hello, auth)).code == "forbidden"


async def test_a_building_without_people_still_serves_its_devices() -> None:
    """Managers are optional in the building file (docs/configuration.md); with no officers
    either, kiosks still connect and every PIN hello is a plain `auth_failed`."""
    nobody = Authenticator(replace(demo_building(), officers=(), managers=()))
    assert (await _principal(hello_for("KIOSK-1"), nobody)).role is Role.KIOSK
    refused = await _refusal(p.hello_manager("LANTAI", "472315"), nobody)
    assert (refused.code, refused.message) == ("auth_failed", "ID atau PIN salah.")
