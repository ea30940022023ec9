"""`/admin`: login with a hashed password, CSRF on every form, the jobs and their runs, run-now,
the action log, logout, and a rate limit on failed logins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboards import create_app
from tests.test_jobs import fake_crawl
from watchdog import jobs_runs
from watchdog.sources import list_sources, load_manifest
from watchdog.store.admin_tables import recent_actions, save_password
from watchdog.store.db import migrate
from watchdog.store.writer import register_source

PASSWORD = "a long admin password 1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def admin_app(tmp_path: Path) -> Flask:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)
    for sid in list_sources():
        register_source(url, load_manifest(sid).model_dump())
    home = tmp_path / "home"
    save_password(home, PASSWORD)
    return create_app(url, tmp_path / "artifacts", TESTING=True, WATCHDOG_HOME=home)


@pytest.fixture
def client(admin_app: Flask) -> Iterator[FlaskClient]:
    with admin_app.test_client() as client:
        yield client


def token(client: FlaskClient, path: str = "/admin/login") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def login(client: FlaskClient, password: str = PASSWORD) -> object:
    return client.post("/admin/login", data={"csrf_token": token(client), "password": password})


def actions(app: Flask) -> list[tuple[str, str | None]]:
    return [(a["action"], a["detail"]) for a in reversed(recent_actions(app.config["DATABASE_URL"]))]


def join_runs(app: Flask) -> None:
    for thread in app.extensions["scorewatch_admin"].threads:
        thread.join(60)


def test_logged_out_requests_go_to_the_login(client):
    for method, path in [("get", "/admin"), ("get", "/admin/"),
                         ("post", "/admin/jobs/audit/run"), ("post", "/admin/logout")]:
        response = getattr(client, method)(path)
        assert response.status_code == 303 and response.location.endswith("/admin/login"), path
    page = client.get("/admin/login")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/admin" in cookie


def test_a_wrong_password_gets_a_401_with_no_hint(client, admin_app):
    response = login(client, "not the password at all")
    body = response.get_data(as_text=True)
    assert response.status_code == 401 and "Not accepted." in body
    assert "not set" not in body and "characters" not in body
    assert client.get("/admin").status_code == 303
    assert actions(admin_app) == [("login_failed", None)]


def test_a_missing_or_wrong_csrf_token_is_a_400(client, admin_app):
    good = token(client)
    assert client.post("/admin/login", data={"password": PASSWORD}).status_code == 400
    assert client.post("/admin/login", data={"password": PASSWORD,
                                             "csrf_token": good[:-2] + "xx"}).status_code == 400
    # A token that is valid but was issued for another visitor's login cookie.
    client.set_cookie("scorewatch_admin_login", "0" * 32, path="/admin")
    assert client.post("/admin/login", data={"password": PASSWORD,
                                             "csrf_token": good}).status_code == 400
    assert actions(admin_app) == []  # refused before the password was even looked at

    assert login(client).status_code == 303
    assert client.post("/admin/jobs/audit/run").status_code == 400
    assert client.post("/admin/jobs/audit/run", data={"csrf_token": good}).status_code == 400
    assert client.post("/admin/logout", data={"csrf_token": "x"}).status_code == 400
    join_runs(admin_app)
    assert jobs_runs.recent_runs(admin_app.config["DATABASE_URL"]) == []


def test_after_login_the_page_lists_jobs_runs_and_actions(client, admin_app):
    response = login(client)
    assert response.status_code == 303 and response.location.endswith("/admin")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("scorewatch_admin=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Path=/admin" in cookie
    page = client.get("/admin")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for sid in list_sources():
        assert f"<code>crawl:{sid}</code>" in body
    assert "<code>audit</code>" in body and "after each crawl" in body
    assert "0 3 * * 1 (UTC)" in body and "No job has run yet." in body
    assert PASSWORD not in body and "<td>login</td>" in body
    assert client.get("/admin/login").status_code == 303  # already signed in


def test_run_now_records_a_run_and_an_admin_action(client, admin_app, monkeypatch):
    monkeypatch.setattr(jobs_runs, "run_crawl_process", fake_crawl())
    url = admin_app.config["DATABASE_URL"]
    login(client)
    csrf = token(client, "/admin")
    for job in ("audit", "crawl:court_dishonest"):
        response = client.post(f"/admin/jobs/{job}/run", data={"csrf_token": csrf})
        assert response.status_code == 303 and response.location.endswith("/admin")
        join_runs(admin_app)
    runs = {r.job_id: r for r in jobs_runs.recent_runs(url)}
    assert runs["audit"].status == "complete" and runs["audit"].detail.startswith("audit run ")
    assert runs["crawl:court_dishonest"].status == "complete"
    assert actions(admin_app) == [("login", None), ("run_job", "audit"),
                                  ("run_job", "crawl:court_dishonest")]
    body = client.get("/admin").get_data(as_text=True)
    assert "status-complete" in body and "crawl 1 complete: read 0" in body
    assert client.post("/admin/jobs/crawl:nope/run", data={"csrf_token": csrf}).status_code == 404


def test_logout_ends_the_session_for_good(client, admin_app):
    login(client)
    stolen = client.get_cookie("scorewatch_admin", path="/admin").value
    response = client.post("/admin/logout", data={"csrf_token": token(client, "/admin")})
    assert response.status_code == 303 and response.location.endswith("/admin/login")
    assert client.get("/admin").status_code == 303
    client.set_cookie("scorewatch_admin", stolen, path="/admin")
    assert client.get("/admin").status_code == 303  # the old cookie was revoked
    assert [a for a, _ in actions(admin_app)] == ["login", "logout"]


def test_a_new_password_signs_everybody_out(client, admin_app):
    login(client)
    assert client.get("/admin").status_code == 200
    save_password(Path(admin_app.config["WATCHDOG_HOME"]), "another long password")
    assert client.get("/admin").status_code == 303


def test_failed_logins_are_rate_limited(client, admin_app):
    for _ in range(5):
        assert login(client, "wrong password, again").status_code == 401
    limited = login(client)  # even the right password waits out the window
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert client.get("/admin").status_code == 303
    other = admin_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(other).status_code == 303  # another client is not locked out


def test_no_password_set_means_no_login(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)
    app = create_app(url, tmp_path / "artifacts", TESTING=True, WATCHDOG_HOME=tmp_path / "home")
    client = app.test_client()
    assert "watchdog admin set-password" in client.get("/admin/login").get_data(as_text=True)
    assert login(client, "").status_code == 401
    assert login(client, "anything at all here").status_code == 401
    assert (tmp_path / "home" / "flask_secret").exists()
