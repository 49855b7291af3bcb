"""A visit's hand-on said aloud (issue 22): the sentence, and who may ask the server for it.

Source: the issue's words, "Nomor antrean A nol satu tujuh, silakan lanjut ke BPJS Kesehatan,
nomor antrean J nol satu empat." — both numbers in the building's reading style, the next
stop's agency by its short name. `/audio/call?kind=handon&from=…&number=…[&counter=…]` is
answered for a display's token of the zone of the desk the citizen left or of the next line's
zone; the demo building: B (Dukcapil) and J (BPJS Kesehatan) on Lantai 1 (zone 1), M
(Perizinan, Loket 20) and R (Pajak) on Lantai 2.
"""

from __future__ import annotations

import pytest
from hubtest import demo_building, demo_credentials
from websockets.datastructures import Headers
from websockets.http11 import Request

from server.core.building import VoiceConfig
from server.web import tv
from server.web.voice import handon_phrase

TV1 = demo_credentials()["TV-1"]  # Lantai 1
TV2 = demo_credentials()["TV-2"]  # Lantai 2


def test_the_sentence_of_the_issue() -> None:
    assert handon_phrase("A-017", "J-014", "BPJS Kesehatan") == (
        "Nomor antrean A nol satu tujuh, silakan lanjut ke BPJS Kesehatan, "
        "nomor antrean J nol satu empat."
    )
    assert handon_phrase("A-017", "J-014", "BPJS  Kesehatan", "number") == (
        "Nomor antrean A tujuh belas, silakan lanjut ke BPJS Kesehatan, "
        "nomor antrean J empat belas."
    )


def _handon(query: dict[str, str], token: str = TV1, style: str = "digits") -> str:
    settings = VoiceConfig(style=style)
    return tv.handon_phrase_for(demo_building(), {"kind": "handon", **query}, token, settings)


def test_the_server_names_the_next_line_s_agency_in_the_building_s_reading() -> None:
    """The agency comes from the building (J's line), the style from [voice] or the URL."""
    query = {"from": "B-031", "number": "J-014", "counter": "L04"}
    assert _handon(query) == (
        "Nomor antrean B nol tiga satu, silakan lanjut ke BPJS Kesehatan, "
        "nomor antrean J nol satu empat."
    )
    assert _handon(query, style="number") == (
        "Nomor antrean B tiga puluh satu, silakan lanjut ke BPJS Kesehatan, "
        "nomor antrean J empat belas."
    )
    assert _handon({**query, "style": "number"}).endswith("nomor antrean J empat belas.")


@pytest.mark.parametrize(
    ("query", "token"),
    [
        ({"from": "M-001", "number": "J-001", "counter": "L20"}, TV1),  # the next line's zone
        ({"from": "M-001", "number": "J-001", "counter": "L20"}, TV2),  # the desk left's zone
        ({"from": "M-001", "number": "R-001"}, TV2),  # no desk left (the floor skipped)
    ],
)
def test_the_tvs_of_both_zones_may_ask(query: dict[str, str], token: str) -> None:
    assert "silakan lanjut ke" in _handon(query, token)


@pytest.mark.parametrize(
    ("query", "token", "status"),
    [
        ({"from": "B-001", "number": "J-001", "counter": "L04"}, "", 403),
        ({"from": "B-001", "number": "J-001", "counter": "L04"}, TV2, 403),  # all of Lantai 1
        ({"from": "M-001", "number": "R-001"}, TV1, 403),  # all of Lantai 2
        ({"number": "J-001", "counter": "L04"}, TV1, 400),  # no number held before
        ({"from": "say anything", "number": "J-001"}, TV1, 400),
        ({"from": "B-001", "number": "J-001", "counter": "L 4"}, TV1, 400),
        ({"from": "B-001", "number": "Z-001"}, TV1, 404),  # no line Z
        ({"from": "Z-001", "number": "J-001"}, TV1, 404),
        ({"from": "B-001", "number": "J-001", "counter": "L99"}, TV1, 404),
        ({"from": "B-001", "number": "J-001", "style": "shout"}, TV1, 400),
    ],
)
def test_hand_on_requests_are_checked(query: dict[str, str], token: str, status: int) -> None:
    with pytest.raises(tv.AudioRequestError) as refused:
        _handon(query, token)
    assert refused.value.status == status


async def test_an_unknown_kind_is_refused() -> None:
    request = Request("/audio/call?kind=poem&number=A-001&counter=L01", Headers())
    response = await tv.TvPage(demo_building()).respond(request)
    assert response.status_code == 400
