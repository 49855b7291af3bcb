"""`[booking] trusted_proxies`: which reverse proxies' X-Forwarded-For is believed (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_config_errors import BASE, problems_of

from server.config import parse_building


def test_trusted_proxies_are_read_and_default_to_none() -> None:
    """Addresses and networks as written; none without the key."""
    assert parse_building(BASE).booking.trusted_proxies == ()
    text = BASE + '\n[booking]\ntrusted_proxies = ["10.0.0.5", "192.168.10.0/24", "::1"]\n'
    assert parse_building(text).booking.trusted_proxies == (
        "10.0.0.5",
        "192.168.10.0/24",
        "::1",
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"10.0.0.5"', 'expected an array of addresses such as ["10.0.0.5"], got string'),
        ('["proxy.lan"]', '"proxy.lan" is not an IP address or network such as "10.0.0.5"'),
        ('["10.0.0.300"]', '"10.0.0.300" is not an IP address or network'),
        ("[5]", "expected an array of addresses"),
    ],
)
def test_a_bad_proxy_is_named_by_file_line_and_key(
    tmp_path: Path, value: str, message: str
) -> None:
    text = BASE + f"\n[booking]\ntrusted_proxies = {value}\n"
    path, error = problems_of(tmp_path, text)
    line = len(text.splitlines())
    assert str(error).startswith(f"{path}:{line}: booking.trusted_proxies: {message}"), error
