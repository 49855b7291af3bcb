"""The call sentence with an agency of more than one word: said as written, one space apart.

Source: docs/configuration.md, `[voice]`: `{agency}` is the counter's agency `short_name`, said
after the counter ("…, silakan menuju loket lima, Dukcapil"). Short names of two words exist
(the demo building's "BPJS Kesehatan"); the announcer must say them as written, with any run of
spaces from a hand-edited building file read as one. A `make mutate` survivor
(docs/testing.md).
"""

from __future__ import annotations

from server.web.voice import call_phrase


def test_an_agency_of_two_words_is_said_as_written() -> None:
    assert call_phrase("K-004", 14, "number", agency="BPJS  Kesehatan") == (
        "Nomor antrean K empat, silakan menuju loket empat belas, BPJS Kesehatan"
    )
