"""The floor's delivery alert (issue 21): a webhook failing longer than its
`alert_after_minutes` is an alert on the dashboard, which clears once it has caught up.

A real server on loopback delivering to a real receiver (tools/webhook_receiver.py) that
answers 503, and the real Textual dashboard. The words are the issue's own example.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from hubtest import StartServer
from test_floor_app import SIZE, alert_keys, cells, dashboard, until

from display.floor_model import FloorModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "outbox"))

from outboxtest import FAST, Receiver, delivering, issue, webhook


def test_the_alert_reads_as_the_issue_writes_it() -> None:
    """Failing since 09.12 WIB with 1,240 events waiting, in Indonesian figures."""
    model = FloorModel()
    model.building = {"timezone": "WIB"}
    alert = {
        "id": "PORTAL-KAB",
        "kind": "webhook",
        "state": "failing",
        "backlog": 1240,
        "failing_since": "2026-11-23T02:12:00+00:00",
        "alert": True,
    }
    model.handle({"type": "alert", "alert": "delivery", "destinations": [alert]}, _now())
    (shown,) = model.alerts(_now())
    assert (
        shown.message == "Pengiriman ke PORTAL-KAB gagal sejak 09.12 WIB, 1.240 peristiwa tertunda"
    )
    recovered = alert | {"state": "ok", "failing_since": None, "backlog": 310}
    model.handle({"type": "alert", "alert": "delivery", "destinations": [recovered]}, _now())
    (shown,) = model.alerts(_now())
    assert shown.message == "Pengiriman ke PORTAL-KAB pulih, 310 peristiwa belum terkirim"
    model.handle({"type": "alert", "alert": "delivery", "destinations": []}, _now())
    assert model.alerts(_now()) == []


def _now() -> datetime:
    return datetime.fromisoformat("2026-11-23T09:45:00+07:00")


async def test_a_webhook_failing_past_its_minutes_is_an_alert_until_it_caught_up(
    start_server: StartServer,
) -> None:
    receiver = Receiver().start()
    receiver.failing = 503
    try:
        building = delivering(webhook(receiver.url, alert_after_minutes=1.0))
        server = await start_server(building=building, delivery_timing=FAST)
        app = dashboard(server)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.model.building)
            assert [d["state"] for d in app.model.deliveries] == ["ok"]  # the snapshot's
            kiosk = await server.client("KIOSK-1")
            await issue(server, 2)  # four events, none delivered
            (sender,) = server.running.outbox.senders
            await until(pilot, lambda: sender.attempts >= 2)
            assert "pengiriman:PORTAL-KAB" not in alert_keys(app)  # failing, not for long yet
            server.clock.advance(61)  # past its minute
            expected = "Pengiriman ke PORTAL-KAB gagal sejak 09.00 WIB, 4 peristiwa tertunda"
            await until(pilot, lambda: cells(app, "alerts", "pengiriman:PORTAL-KAB")[1] == expected)
            receiver.failing = None
            await until(pilot, lambda: "pengiriman:PORTAL-KAB" not in alert_keys(app))
            assert receiver.seqs() == [1, 2, 3, 4]
            await kiosk.close()
    finally:
        receiver.shutdown()
        receiver.server_close()
