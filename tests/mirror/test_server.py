"""The mirror server: real paths and paging, every failure switch, the control endpoint, and
loopback only. Uses the session's `mirror` fixture (tests/conftest.py), reset for each test."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlsplit

import pytest

from watchdog.mirror import generator as g
from watchdog.mirror.server import FAILURES, MirrorServer, MirrorState

BAIDU = "/8aQDcjqpAAV3otqbppnN2DJv/api.php?resource_id=6899&query=%E5%A4%B1%E4%BF%A1%E4%BA%BA&ie=utf-8&oe=utf-8"


class Client:
    """One keep-alive connection, as a crawler would use."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def request(self, path: str, method: str = "GET", body: object = None):
        data = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=data,
                          headers={"Content-Type": "application/json"} if data else {})
        resp = self.conn.getresponse()
        return resp.status, resp.headers, resp.read()

    def json(self, path: str) -> object:
        status, _, body = self.request(path)
        assert status == 200, (path, status, body[:200])
        return json.loads(body)


@pytest.fixture
def client(mirror):
    c = Client(mirror.url)
    yield c
    c.conn.close()


def test_binds_loopback_only(mirror):
    assert mirror.url.startswith("http://127.0.0.1:")
    assert mirror._httpd.socket.getsockname()[0] == "127.0.0.1"
    for host in ("0.0.0.0", "192.168.1.10", "example.org", "::"):
        with pytest.raises(ValueError, match="loopback"):
            MirrorServer(host=host)


def test_index_robots_and_synthetic_marking(client):
    status, headers, body = client.request("/")
    assert status == 200 and b"SYNTHETIC DEMO DATA" in body
    assert headers["X-Scorewatch-Mirror"] == "synthetic demo data"
    status, headers, body = client.request("/robots.txt")
    assert status == 200 and b"Allow: /" in body
    status, headers, body = client.request("/robots.txt", "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == "23"
    for path in (BAIDU + "&pn=0&rn=10", "/gkw/sx/getPersonList", "/nothing-here"):
        assert client.request(path)[1]["X-Scorewatch-Mirror"] == "synthetic demo data"
    assert client.request("/nothing-here")[0] == 404


def test_baidu_paging_covers_every_record_once(client):
    expected = [r["id"] for r in g.generate(1)]
    seen: list[str] = []
    pages, pn = 0, 0
    while True:
        data = client.json(f"{BAIDU}&pn={pn}&rn=50")["data"]
        pages += 1
        if not data:
            break
        block = data[0]
        assert block["dispNum"] == len(expected) and block["listNum"] == len(block["result"])
        seen += [row["id"] for row in block["result"]]
        pn += 50
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == {str(i) for i in expected}
    assert pages == -(-len(expected) // 50) + 1  # full pages, then one empty page that ends it


def test_baidu_conventions_and_rn_clamp(client):
    rec = g.generate(1)[0]
    obj = client.json(f"{BAIDU}&pn=0&rn=5")
    assert obj["status"] == "0" and obj["t"].isdigit() and obj["set_cache_time"] == ""
    block = obj["data"][0]
    assert block["StdStg"] == 6899 and block["resNum"] == 10 and len(block["result"]) == 10
    row = block["result"][0]
    assert row["id"] == str(rec["id"]) and row["type"] == "失信被执行人名单"
    assert row["partyTypeName"] == ("1" if rec["partyTypeName"] == "581" else "0")
    assert row["regDate"] == rec["regDate"].replace("年", "").replace("月", "").replace("日", "")
    assert row["publishDate"].isdigit() and row["loc"].startswith("http://127.0.0.1:")
    assert len(client.json(f"{BAIDU}&pn=0&rn=500")["data"][0]["result"]) == 50
    assert client.json(f"{BAIDU}&pn=999999&rn=50")["data"] == []
    other = client.json("/api.php?resource_id=6899&query=%E5%A4%B1%E4%BF%A1%E4%BA%BA%E5%90%8D%E5%8D%95"
                        f"&areaName={quote('西藏')}&pn=0&rn=50&format=json")
    assert {r["areaName"] for r in other["data"][0]["result"]} == {"西藏"}


def test_zxgk_lists_and_detail_round_trip(client):
    recs = g.generate(1)
    persons = [r for r in recs if r["partyTypeName"] == "580"]
    by_id = {r["id"]: r for r in recs}
    page = client.json("/gkw/sx/getPersonList?page=1&pageSize=20")
    assert page["currentPage"] == 1 and page["totalSize"] == len(persons)
    assert page["totalPage"] == -(-len(persons) // 20) and len(page["data"]) == 20
    assert set(page["data"][0]) == {"iname", "cardNum", "caseCode", "id"}
    dates = [by_id[row["id"]]["publishDate"] for row in page["data"]]
    assert dates == sorted(dates, reverse=True)  # the rolling list shows the newest first
    assert len(client.json("/gkw/sx/getPersonList?page=2&pageSize=1000")["data"]) == 100
    units = client.json("/gkw/sx/getUnitList?page=1")
    assert len(units["data"]) == 20 and all(by_id[u["id"]]["partyTypeName"] == "581" for u in units["data"])
    for row in page["data"][:3] + units["data"][:3]:
        detail = client.json(f"/gkw/sx/disDetailNew?id={row['id']}&caseCode={quote(row['caseCode'])}")
        assert detail == by_id[row["id"]]
    status, headers, body = client.request("/gkw/sx/disDetailNew?id=1&caseCode=x")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"404" in body


def _set(client, **state):
    status, _, body = client.request("/_mirror/state", "POST", state)
    assert status == 200, body
    return json.loads(body)


def _detail_paths(n: int) -> list[str]:
    return [f"/gkw/sx/disDetailNew?id={r['id']}&caseCode={quote(r['caseCode'])}"
            for r in g.generate(1)[:n]]


@pytest.mark.parametrize("failure", FAILURES)
def test_failure_switches(client, failure):
    normal_baidu = client.request(f"{BAIDU}&pn=50&rn=50")[2]
    _set(client, failure=failure, fail_from_page=1)
    first = client.request(f"{BAIDU}&pn=0&rn=50")
    assert first[0] == 200 and json.loads(first[2])["data"][0]["result"]  # page 0 still fine
    assert client.request("/gkw/sx/getPersonList?page=1")[0] == 200
    responses = {
        "baidu": client.request(f"{BAIDU}&pn=50&rn=50"),
        "list": client.request("/gkw/sx/getPersonList?page=2"),
    }
    details = [client.request(p) for p in _detail_paths(21)]
    assert all(d[0] == 200 and json.loads(d[2]) for d in details[:20])
    responses["detail"] = details[20]
    for kind, (status, headers, body) in responses.items():
        html = headers["Content-Type"].startswith("text/html")
        if failure == "block412":
            assert status == 412 and html and b"<title>412 Precondition Failed</title>" in body
            assert "访问被拒绝".encode() in body
        elif failure == "captcha":
            assert status == 200
            if kind == "baidu":
                assert html and "百度安全验证".encode() in body and "验证码".encode() in body
            elif kind == "list":
                assert html and "请输入验证码".encode() in body
            else:
                assert body == b"{}"
        elif failure == "http500":
            assert status == 500 and html
        elif failure == "truncated":
            assert status == 200 and len(body) > 10
            with pytest.raises(ValueError):
                json.loads(body)
            if kind == "baidu":
                assert normal_baidu.startswith(body) and len(body) == len(normal_baidu) // 2
        else:
            obj = json.loads(body)
            rows = {"baidu": lambda o: o["data"][0]["result"], "list": lambda o: o["data"],
                    "detail": lambda o: [o]}[kind](obj)
            assert rows and all("newRiskLevel" in r for r in rows)
    assert client.json("/_mirror/state")["counters"]["failed"] >= 1


def test_fail_from_page_zero_fails_at_once_and_direct_assignment_works(mirror, client):
    mirror.state.failure = "block412"
    mirror.state.fail_from_page = 0
    assert client.request(f"{BAIDU}&pn=0&rn=50")[0] == 412
    assert client.request(_detail_paths(1)[0])[0] == 412
    with pytest.raises(ValueError):
        mirror.state.failure = "solve-the-captcha"


def test_control_endpoint_flips_the_day(client):
    state = client.json("/_mirror/state")
    assert state["day"] == 1 and state["failure"] is None
    assert client.json(f"{BAIDU}&pn=0&rn=10")["data"][0]["dispNum"] == len(g.generate(1))
    assert _set(client, day=2)["day"] == 2
    assert client.json(f"{BAIDU}&pn=0&rn=10")["data"][0]["dispNum"] == len(g.generate(2))
    gone = next(iter({r["id"] for r in g.generate(1)} - {r["id"] for r in g.generate(2)}))
    assert client.request(f"/gkw/sx/disDetailNew?id={gone}")[0] == 404
    for bad in ({"day": 3}, {"failure": "nope"}, {"fail_from_page": -1}, {"colour": "red"}):
        status, _, body = client.request("/_mirror/state", "POST", bad)
        assert status == 400 and "error" in json.loads(body)
    assert client.json("/_mirror/state")["day"] == 2
    assert _set(client, day=1, failure="none")["failure"] is None


def test_state_defaults():
    state = MirrorState()
    assert (state.day, state.failure, state.fail_from_page) == (1, None, 1)
    with pytest.raises(ValueError):
        MirrorState(day=0)
