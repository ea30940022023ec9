"""`/admin`: the scheduled jobs, their runs, and "run now", behind a password.

- Login: one password (no user name), checked against the salted hash that `watchdog admin
  set-password` wrote to `WATCHDOG_HOME/admin.json`. A wrong one gets a 401 that says nothing
  else; failed attempts are rate-limited per client and overall.
- Session: a cookie signed with the admin key (itsdangerous, 8 hours), HttpOnly,
  SameSite=Strict, path /admin. It carries a random session id and a fingerprint of the
  password hash, so setting a new password signs everybody out; logout revokes the id.
- CSRF: every form carries a signed token bound to the session id (or, on the login form, to a
  random value in a login cookie). A POST without a valid one is refused with 400.
- Every admin action is logged in `adminaction` (action and job id; never a password or an
  address). "Run now" records the run in `jobrun` like a scheduled one, from a background thread.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response as BaseResponse

from watchdog import jobs, jobs_runs
from watchdog.config import get_settings
from watchdog.store.admin_tables import log_action, password_hash, password_ok, recent_actions

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger(__name__)

SESSION_COOKIE = "scorewatch_admin"
LOGIN_COOKIE = "scorewatch_admin_login"
SESSION_MAX_AGE = 8 * 3600
FORM_MAX_AGE = 2 * 3600
FAIL_WINDOW = 15 * 60.0  # seconds
FAILS_PER_CLIENT = 5
FAILS_OVERALL = 50  # the password has no user name: cap guessing from many addresses too
EXTENSION = "scorewatch_admin"


@dataclass
class AdminState:
    """Per-app, in-memory: failed logins, revoked sessions and the run-now threads."""

    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    failures: dict[str, deque[float]] = field(default_factory=dict)
    overall: deque[float] = field(default_factory=deque)
    revoked: dict[str, float] = field(default_factory=dict)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    app: Flask = state.app
    home = Path(app.config.get("WATCHDOG_HOME") or get_settings().home)
    app.config.setdefault("WATCHDOG_HOME", home)
    if not app.config.get("SECRET_KEY"):
        # Kept in WATCHDOG_HOME so sessions and forms survive a restart of `watchdog serve`.
        app.config["SECRET_KEY"] = _flask_secret(home)
    app.extensions[EXTENSION] = AdminState()


def _admin_key() -> str:
    """The key admin cookies and tokens are signed with: `ADMIN_SECRET_KEY`, else the one in
    WATCHDOG_HOME/flask_secret (made on first use), so another blueprint giving the app a random
    SECRET_KEY does not sign the admin out at every restart."""
    key = current_app.config.get("ADMIN_SECRET_KEY")
    if not key:
        key = current_app.config["ADMIN_SECRET_KEY"] = _flask_secret(_home())
    return key


def _flask_secret(home: Path) -> str:
    path = home / "flask_secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def _state() -> AdminState:
    return current_app.extensions[EXTENSION]


def _home() -> Path:
    return Path(current_app.config["WATCHDOG_HOME"])


def _url() -> str:
    return current_app.config["DATABASE_URL"]


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_admin_key(), salt=f"scorewatch.admin.{purpose}")


def _fingerprint() -> str:
    stored = password_hash(_home()) or ""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16]


def _session_id() -> str | None:
    """The signed-in session's id, or None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        data = _signer("session").loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return None
    if password_hash(_home()) is None or not hmac.compare_digest(str(data.get("pw")), _fingerprint()):
        return None
    with _state().lock:
        if data["sid"] in _state().revoked:
            return None
    return data["sid"]


def _token(value: str) -> str:
    return _signer("csrf").dumps(value)


def _require_csrf(expected: str | None) -> None:
    token = request.form.get("csrf_token", "")
    if not expected or not token or len(token) > 500:
        abort(400, "Missing or invalid form token: reload the page and try again.")
    try:
        value = _signer("csrf").loads(token, max_age=FORM_MAX_AGE)
    except BadSignature:
        abort(400, "Missing or invalid form token: reload the page and try again.")
    if not isinstance(value, str) or not hmac.compare_digest(value, expected):
        abort(400, "Missing or invalid form token: reload the page and try again.")


def _client() -> str:
    addr = (request.remote_addr or "").encode("utf-8")
    return hmac.new(_state().key, addr, hashlib.sha256).hexdigest()[:16]


def _limited(client: str) -> bool:
    st, cutoff = _state(), time.monotonic() - FAIL_WINDOW
    with st.lock:
        for q in (st.overall, *st.failures.values()):
            while q and q[0] < cutoff:
                q.popleft()
        st.failures = {k: q for k, q in st.failures.items() if q}
        return len(st.failures.get(client, ())) >= FAILS_PER_CLIENT or len(st.overall) >= FAILS_OVERALL


def _note_failure(client: str) -> None:
    st, now = _state(), time.monotonic()
    with st.lock:
        st.failures.setdefault(client, deque()).append(now)
        st.overall.append(now)


def _cookie_args() -> dict[str, Any]:
    return {"httponly": True, "samesite": "Strict", "secure": request.is_secure, "path": "/admin"}


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_page(status: int = 200, message: str | None = None) -> Response:
    value = secrets.token_hex(16)
    body = render_template("admin_login.html", csrf_token=_token("login:" + value),
                           message=message, password_set=password_hash(_home()) is not None)
    response = current_app.make_response((body, status))
    response.set_cookie(LOGIN_COOKIE, value, max_age=FORM_MAX_AGE, **_cookie_args())
    return response


@bp.get("/login")
def login() -> BaseResponse:
    if _session_id() is not None:
        return redirect(url_for("admin.index"), 303)
    return _login_page()


@bp.post("/login")
def login_post() -> BaseResponse:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    _require_csrf("login:" + cookie if len(cookie) == 32 and cookie.isalnum() else None)
    client = _client()
    if _limited(client):
        response = _login_page(429, "Too many failed attempts. Try again later.")
        response.headers["Retry-After"] = str(int(FAIL_WINDOW))
        return response
    if not password_ok(_home(), request.form.get("password", "")):
        _note_failure(client)
        log_action(_url(), "login_failed")
        return _login_page(401, "Not accepted.")
    with _state().lock:
        _state().failures.pop(client, None)
    log_action(_url(), "login")
    session = _signer("session").dumps({"sid": secrets.token_hex(16), "pw": _fingerprint()})
    response = redirect(url_for("admin.index"), 303)
    response.set_cookie(SESSION_COOKIE, session, max_age=SESSION_MAX_AGE, **_cookie_args())
    response.delete_cookie(LOGIN_COOKIE, path="/admin")
    return response


@bp.post("/logout")
def logout() -> BaseResponse:
    sid = _session_id()
    if sid is None:
        return redirect(url_for("admin.login"), 303)
    _require_csrf(sid)
    now = time.monotonic()
    with _state().lock:
        revoked = _state().revoked
        for old in [s for s, at in revoked.items() if at < now - SESSION_MAX_AGE]:
            del revoked[old]
        revoked[sid] = now
    log_action(_url(), "logout")
    response = redirect(url_for("admin.login"), 303)
    response.delete_cookie(SESSION_COOKIE, path="/admin")
    return response


@bp.get("/")
@bp.get("")  # registered first, so url_for builds /admin
def index() -> BaseResponse | str:
    sid = _session_id()
    if sid is None:
        return redirect(url_for("admin.login"), 303)
    url = _url()
    return render_template("admin.html", jobs=jobs.list_jobs(url),
                           runs=jobs_runs.recent_runs(url, limit=40),
                           actions=recent_actions(url, limit=40), csrf_token=_token(sid),
                           scheduler=jobs.scheduler_for(url) is not None)


@bp.get("/artifacts/<string(length=64):sha>.raw")
def artifact_bytes(sha: str) -> BaseResponse:
    """An archived response's bytes, those about persons included (see views.artifacts)."""
    from dashboards.views import artifacts

    if _session_id() is None:
        return redirect(url_for("admin.login"), 303)
    log_action(_url(), "view_artifact", sha[:16])
    return artifacts.serve(sha)


@bp.post("/jobs/<job_id>/run")
def run_now(job_id: str) -> BaseResponse:
    sid = _session_id()
    if sid is None:
        return redirect(url_for("admin.login"), 303)
    _require_csrf(sid)
    if job_id not in jobs.known_jobs():
        abort(404, f"No job {job_id[:80]!r}.")
    url = _url()
    log_action(url, "run_job", job_id)
    options = {"database_url": url, "mirror_url": current_app.config.get("JOBS_MIRROR_URL"),
               "expect_min": current_app.config.get("JOBS_EXPECT_MIN"),
               "scheduler": jobs.scheduler_for(url)}
    thread = threading.Thread(target=_run_in_background, args=(job_id, options),
                              name=f"admin-run-{job_id}", daemon=True)
    st = _state()
    with st.lock:
        st.threads = [t for t in st.threads if t.is_alive()] + [thread]
    thread.start()
    return redirect(url_for("admin.index"), 303)


def _run_in_background(job_id: str, options: dict[str, Any]) -> None:
    try:
        jobs.run_job(job_id, **options)
    except Exception:  # run_job records its own failures; this is only what it could not
        log.exception("admin run of %s could not start", job_id)
