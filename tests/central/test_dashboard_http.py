"""The dashboard over real HTTP against a real central and PostgreSQL: who sees what, the CSV's
bytes, and the login's guards. The day and its figures are dashkit's, worked out by hand."""

from __future__ import annotations

import json
import re

import pytest
from centraltest import BUILDING, OTHER, CentralThread
from dashkit import EVIL_LINE, Client, dashboard_toml, deliver_all, today

from server.central.config import load_central

DATA_PATHS = (
    "/ringkasan.json",
    "/ringkasan.csv?tabel=gedung",
    "/ringkasan.csv?tabel=layanan",
    "/bagian/ringkasan",
    "/peringkat.json",
    "/peringkat.csv",
)


def _tokenless(page: bytes) -> bytes:
    return re.sub(rb'name="token" value="[^"]*"', b"", page)


@pytest.fixture
def central(tmp_path, central_db):
    with CentralThread(load_central(dashboard_toml(tmp_path, central_db))) as c:
        deliver_all(c.port)
        yield c


def test_nothing_without_a_login(central):
    c = Client(central.port)
    for path in ("/", "/gedung?id=" + BUILDING, "/peringkat"):
        status, headers, _ = c.get(path)
        assert (status, headers["location"]) == (303, "/masuk")
    for path in (*DATA_PATHS, f"/gedung.json?id={BUILDING}", f"/gedung.csv?id={BUILDING}"):
        status, _h, body = c.get(path)
        assert status == 401
        assert json.loads(body)["message"] == "Silakan masuk terlebih dahulu."


def test_a_regency_user_never_sees_another_regions_building(central):
    kota = Client(central.port)
    assert kota.login("kota") == 303
    for path in DATA_PATHS:
        status, _h, body = kota.get(path)
        assert status == 200, path
        assert BUILDING.encode() in body or path.startswith("/peringkat")
        assert OTHER.encode() not in body, path
        assert b"Kabupaten" not in body, path
    for path in ("/gedung", "/gedung.json", "/gedung.csv"):
        status, _h, body = kota.get(f"{path}?id={OTHER}")
        assert status == 404, path
        assert b"Kabupaten" not in body
        # exactly as a building that does not exist: nothing tells the two apart (but the
        # logout form's token, fresh on every page)
        unknown = kota.get(f"{path}?id=mpp-tidak-ada")
        assert (unknown[0], _tokenless(unknown[2])) == (status, _tokenless(body))
    assert kota.get(f"/gedung?id={BUILDING}")[0] == 200

    provinsi = Client(central.port)
    assert provinsi.login("provinsi") == 303
    body = json.loads(provinsi.get("/ringkasan.json")[2])
    assert [r["building_id"] for r in body["buildings"]["rows"]] == [BUILDING, OTHER]
    assert provinsi.get(f"/gedung.json?id={OTHER}")[0] == 200


def test_the_csv_bytes(central):
    c = Client(central.port)
    c.login("kota")
    status, headers, body = c.get(f"/gedung.csv?id={BUILDING}")
    assert status == 200
    assert headers["content-type"] == "text/csv; charset=utf-8"
    day = today().isoformat()
    evil = EVIL_LINE.replace('"', '""')
    expected = (
        "\ufeffday,line,line_name,agency,issued,served,no_show,wait_median_s,wait_p90_s,"
        "target_wait_s,waits_within_pct,service_median_s,target_service_s,ikm,respondents,"
        "booked,checked_in,lapsed,cancelled,behind_standard\r\n"
        f"{day},A,Perekaman KTP-el,DKP,4,2,1,900.0,1200.0,600.0,33.3,450.0,300.0,,0,0,0,0,0,"
        '"tunggu p90 20,0 menit > standar 10,0 menit; '
        'layanan median 7,5 menit > standar 5,0 menit"\r\n'
        f'{day},B,"\'{evil}",DKP,1,1,0,600.0,600.0,1800.0,100.0,600.0,900.0,,0,0,0,0,0,\r\n'
    )
    assert body == expected.encode("utf-8")
    assert body.startswith(b"\xef\xbb\xbf")


def test_the_login_form_refuses_another_origin_and_a_missing_token(central):
    c = Client(central.port)
    c.get("/masuk")  # the form's cookie
    form = b"pengguna=kota&sandi=sandi-kota-contoh-1"
    status, _h, body = c.request(
        "POST", "/masuk", form, {"Origin": "https://jahat.example",
                                 "Content-Type": "application/x-www-form-urlencoded"}
    )  # fmt: skip
    assert status == 403 and b"kedaluwarsa" in body
    assert "antre_sesi" not in c.cookies
    assert c.get("/ringkasan.json")[0] == 401


def test_logout_ends_the_session(central):
    c = Client(central.port)
    c.login("kota")
    status, _h, page = c.get("/")
    assert status == 200
    session = c.cookies["antre_sesi"]
    token = page.split(b'name="token" value="')[1].split(b'"')[0].decode()
    status, headers, _ = c.request(
        "POST", "/keluar", f"token={token}".encode(),
        {"Origin": f"http://127.0.0.1:{central.port}",
         "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert (status, headers["location"]) == (303, "/masuk")
    c.cookies["antre_sesi"] = session  # the old cookie, kept by someone: worth nothing now
    assert c.get("/ringkasan.json")[0] == 401
