"""The building's push to central (issue 21): its profile first, then every event from seq 1.

Central's receiving side is `antre central`'s; here a loopback receiver implements the
documented contract (docs/protocol.md "Signed deliveries": `PUT /central/v1/profile`, `POST
/central/v1/events`, signed with the building's key) and verifies with server.signing.
"""

from __future__ import annotations

from dataclasses import replace

from hubtest import StartServer, until
from outboxtest import CENTRAL_KEY, FAST, Receiver, central, delivering, issue, webhook

PROFILE = ("PUT", "/central/v1/profile")
EVENTS = ("POST", "/central/v1/events")


async def test_central_gets_the_profile_then_the_whole_history_and_a_new_webhook_from_now(
    start_server: StartServer, tmp_path
) -> None:
    db = str(tmp_path / "antre.db")
    first = await start_server(db=db)
    await issue(first, 2)  # seqs 1–4, before anything was configured
    await start_server.stop(first)  # type: ignore[attr-defined]

    pusat, portal = Receiver(CENTRAL_KEY).start(), Receiver().start()
    try:
        building = delivering(central(pusat.url), webhook(portal.url))
        server = await start_server(db=db, building=building, delivery_timing=FAST)
        await issue(server, 1)  # seqs 5–6
        await until(lambda: pusat.seqs()[-1:] == [6], "central has seq 6")
        await until(lambda: portal.seqs()[-1:] == [6], "the webhook has seq 6")
        assert pusat.seqs() == [1, 2, 3, 4, 5, 6]  # central wants the history, with no gap
        assert portal.seqs() == [5, 6]  # an integrator wants what happens from now on
        assert pusat.paths[0] == PROFILE and set(pusat.paths[1:]) == {EVENTS}
        assert pusat.refused == [] and portal.refused == []
        (profile,) = pusat.profiles
        assert (profile["building"], profile["name"], profile["zone"]) == (
            "mpp-kota-contoh",
            "MPP Kota Contoh",
            "WIB",
        )
        line_a = next(ln for ln in profile["lines"] if ln["line"] == "A")
        # The demo's line A: 10 minutes published, `antre report`'s 30-minute wait target.
        assert line_a == {
            "line": "A",
            "name": "Perekaman dan Cetak KTP-el",
            "agency": "DUKCAPIL",
            "target_service_s": 600.0,
            "target_wait_s": 1800.0,
        }
        assert "DUKCAPIL" in {a["code"] for a in profile["agencies"]}
        await start_server.stop(server)  # type: ignore[attr-defined]

        # The same building again: central acknowledged its profile, it is not sent again.
        again = await start_server(db=db, building=building, delivery_timing=FAST)
        await issue(again, 1)
        await until(lambda: pusat.seqs()[-1:] == [8], "central has seq 8")
        assert pusat.paths.count(PROFILE) == 1
        await start_server.stop(again)  # type: ignore[attr-defined]

        # A changed building (a line renamed): its profile goes again, before the events.
        renamed = tuple(
            replace(ln, name="Perekaman KTP-el") if ln.prefix == "A" else ln
            for ln in building.lines
        )
        changed = await start_server(
            db=db, building=replace(building, lines=renamed), delivery_timing=FAST
        )
        await until(lambda: len(pusat.profiles) == 2, "the changed profile sent")
        assert next(ln for ln in pusat.profiles[1]["lines"] if ln["line"] == "A")["name"] == (
            "Perekaman KTP-el"
        )
        await issue(changed, 1)
        await until(lambda: pusat.seqs()[-1:] == [10], "central has seq 10")
        assert pusat.seqs() == list(range(1, 11)) and pusat.duplicates == 0
    finally:
        for r in (pusat, portal):
            r.shutdown()
            r.server_close()


async def test_a_central_that_lost_events_below_the_position_gets_them_again(
    start_server: StartServer,
) -> None:
    # Central's database restored from a back-up (or a new central at the same URL): it has
    # nothing, and says so in its answer's contiguous_seq. The building sends the profile and
    # its whole history again rather than carrying on from its position over a gap.
    pusat = Receiver(CENTRAL_KEY).start()
    try:
        server = await start_server(building=delivering(central(pusat.url)), delivery_timing=FAST)
        await issue(server, 2)
        last = server.engine.last_seq
        await until(lambda: pusat.seqs()[-1:] == [last], f"central has seq {last}")
        with pusat.lock:  # central loses everything it had
            pusat.events.clear()
            pusat.arrivals.clear()
        await issue(server, 1)
        last = server.engine.last_seq
        await until(
            lambda: sorted(pusat.seqs()) == list(range(1, last + 1)),
            f"central has seqs 1–{last} again",
        )
        assert len(pusat.profiles) == 2  # the profile went again, before the events
        assert pusat.paths.count(PROFILE) == 2
        log = await server.engine.store.delivery_log("central")
        assert "rewound" in {a.outcome for a in log}
    finally:
        pusat.shutdown()
        pusat.server_close()
