"""central.toml's `[[users]]` and `antre central hash-password`: mistakes named by file, line and
key, and a hash that logs in."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from server.auth import hash_password, verify_password
from server.central.config import ConfigError, load_central

GOOD = hash_password("sandi-yang-benar", n=2**8)


def test_users_mistakes_are_named_by_file_line_and_key(tmp_path):
    (tmp_path / "k.key").write_text("k" * 40)
    path = tmp_path / "central.toml"
    path.write_text(
        f"""[central]
database = "dbname=x"
public_url = "sentral.example"

[[buildings]]
id = "mpp-kota-contoh"
name = "MPP Kota Contoh"
region = "Kota Contoh"
key_file = "k.key"

[[users]]
id = "dinas-kota"
name = "Dinas Kota"
password_hash = "sandi123"
region = "Kota Contoh"

[[users]]
id = "dinas-kab"
name = "Dinas Kabupaten"
password_hash = "{GOOD}"
region = "Kabupaten Contoh"

[[users]]
id = "provinsi"
name = "Provinsi"
password_hash = "{GOOD}"
scope = "semua"

[[users]]
id = "Dinas Kota"
name = "Dua"
password_hash = "{GOOD}"
scope = "all"
region = "Kota Contoh"
"""
    )
    with pytest.raises(ConfigError) as caught:
        load_central(path)
    text = str(caught.value)
    assert f'{path}:3: central.public_url: "sentral.example" is not an address' in text
    assert (
        f"{path}:14: users[dinas-kota].password_hash: not a password hash: make one with "
        "`antre central hash-password`"
    ) in text
    assert f'{path}:21: users[dinas-kab].region: unknown region "Kabupaten Contoh"' in text
    assert f'{path}:27: users[provinsi].scope: expected "all", got' in text
    assert f'{path}:30: users[#4].id: "Dinas Kota" is not a user id' in text
    assert f'{path}:34: users[#4].region: give either scope = "all" or a region' in text


def test_a_good_users_table_is_read(tmp_path):
    (tmp_path / "k.key").write_text("k" * 40)
    path = tmp_path / "central.toml"
    path.write_text(
        f"""[central]
database = "dbname=x"
public_url = "https://sentral.example.go.id/"

[[buildings]]
id = "mpp-kota-contoh"
name = "MPP Kota Contoh"
region = "Kota Contoh"
key_file = "k.key"

[[users]]
id = "dinas-kota"
name = "Dinas Kota"
password_hash = "{GOOD}"
region = "Kota Contoh"

[[users]]
id = "provinsi"
name = "Provinsi"
password_hash = "{GOOD}"
scope = "all"
"""
    )
    config = load_central(path)
    assert config.public_url == "https://sentral.example.go.id"
    assert {u.id: u.region for u in config.users.values()} == {
        "dinas-kota": "Kota Contoh",
        "provinsi": None,
    }
    assert "scrypt" not in repr(config.users["provinsi"])  # a hash never in a log


def test_hash_password_prints_a_hash_that_verifies():
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "central", "hash-password", "--stdin"],
        input="sandi-yang-panjang\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stored = done.stdout.strip()
    assert stored.startswith("scrypt$16384$8$1$")
    assert verify_password("sandi-yang-panjang", stored)
    assert not verify_password("sandi-yang-lain", stored)


def test_hash_password_refuses_a_short_password(monkeypatch, capsys):
    from server.central.cli import central_main

    monkeypatch.setattr(sys, "stdin", io.StringIO("pendek\n"))
    assert central_main(["hash-password", "--stdin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
