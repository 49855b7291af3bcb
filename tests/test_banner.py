"""The start-up banner that tells a newcomer where to point each part."""

from __future__ import annotations

from dataclasses import replace

from server.app import where_to_point
from server.config import load_demo_building, load_demo_credentials

WS, HTTP = "ws://127.0.0.1:8700/ws", "http://127.0.0.1:8700"


def test_demo_banner_gives_every_part_with_its_credentials() -> None:
    """For the demo building the banner shows each TV's page, the kiosk, a counter and the floor."""
    secrets = load_demo_credentials()
    text = where_to_point(load_demo_building(), WS, HTTP, secrets)
    assert f"{HTTP}/display?zone=1&token={secrets['TV-1']}" in text
    assert f"{HTTP}/display?zone=2&token={secrets['TV-2']}" in text
    assert f"antre kiosk --server {WS} --token {secrets['KIOSK-1']}" in text
    assert (
        f"antre counter --server {WS} --counter L01   officer DKP01, PIN {secrets['DKP01']}" in text
    )
    assert f"antre floor --server {WS} --manager LANTAI   PIN {secrets['LANTAI']}" in text
    assert f"  Booking       {HTTP}/pesan\n" in text  # the README's walk starts there
    # The SKM survey's pages (issue 20): the tablet at Loket 1 and the exit page.
    assert f"  Tablet L01    {HTTP}/tablet?token={secrets['TABLET-L01']}\n" in text
    assert f"  Exit          {HTTP}/keluar?token={secrets['EXIT-1']}\n" in text


def test_a_real_building_banner_shows_no_secret() -> None:
    """Without demo credentials the banner names devices and people but prints no token or PIN."""
    secrets = load_demo_credentials()
    text = where_to_point(load_demo_building(), WS, HTTP, None)
    assert "<token of TV-1>" in text and "--manager LANTAI" in text
    assert "/tablet?token=<token of TABLET-L01>" in text
    assert not any(secret in text for secret in secrets.values())


def test_a_building_without_booking_shows_no_booking_page() -> None:
    building = load_demo_building()
    plain = replace(building, lines=tuple(replace(ln, booking=None) for ln in building.lines))
    assert "/pesan" not in where_to_point(plain, WS, HTTP, None)
