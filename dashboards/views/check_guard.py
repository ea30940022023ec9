"""The self-check's guards: a CSRF token, a rate limit per client, and nothing kept.

- CSRF: a random value in a cookie (HttpOnly, SameSite=Strict, path /check) and the same value
  signed with the app's SECRET_KEY (itsdangerous, timed) in the form. A POST must carry both and
  they must match; another site can neither read the cookie nor forge the signature.
- Rate limit: at most `CHECK_RATE_LIMIT` POSTs (default 30) per client address in a sliding
  minute, in memory. Addresses are kept only as keyed hashes with a per-process key, and only
  for that minute.
- The page is built without the store: `no_store_site_state` gives the layout its footer facts
  so rendering never opens the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "scorewatch_check"
SALT = "scorewatch.check.csrf"
TOKEN_MAX_AGE = 4 * 3600   # seconds a form stays valid
WINDOW = 60.0              # seconds of the rate limit's window
EXTENSION = "scorewatch_check_limiter"


def ensure_secret_key(app: Flask) -> None:
    """The factory sets no SECRET_KEY; give the app a random one so tokens can be signed.

    A random key lives as long as the process: forms open across a restart must be reloaded,
    and several worker processes would each have their own (set SECRET_KEY to share one).
    """
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def cookie_value() -> str:
    """The visitor's CSRF value: the one in their cookie if it looks right, else a new one."""
    value = request.cookies.get(COOKIE, "")
    return value if len(value) == 32 and value.isalnum() else secrets.token_hex(16)


def token_for(value: str) -> str:
    return _serializer().dumps(value)


def token_ok(form_token: str | None) -> bool:
    cookie = request.cookies.get(COOKIE)
    if not form_token or not cookie or len(form_token) > 200:
        return False
    try:
        signed = _serializer().loads(form_token, max_age=TOKEN_MAX_AGE)
    except BadSignature:  # also raised for an expired token
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, cookie)


def set_cookie(response: Any, value: str) -> None:
    response.set_cookie(COOKIE, value, max_age=TOKEN_MAX_AGE, path="/check", httponly=True,
                        samesite="Strict", secure=request.is_secure)


class RateLimiter:
    """A sliding-window count of POSTs per client, keyed by a hash of the address."""

    def __init__(self, limit: int, window: float = WINDOW) -> None:
        self.limit, self.window = limit, window
        self._key = secrets.token_bytes(32)
        self._hits: dict[bytes, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        key = hmac.new(self._key, address.encode("utf-8", "replace"), hashlib.sha256).digest()
        with self._lock:
            self._forget_before(now - self.window)
            hits = self._hits.setdefault(key, deque())
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def _forget_before(self, cutoff: float) -> None:
        for key in list(self._hits):
            hits = self._hits[key]
            while hits and hits[0] <= cutoff:
                hits.popleft()
            if not hits:
                del self._hits[key]


def limiter(app: Flask) -> RateLimiter:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = RateLimiter(int(app.config.get("CHECK_RATE_LIMIT", 30)))
    return found


def limit_posts(what: str) -> None:
    """A `before_request` for the private pages: 429 past the per-address allowance, which
    /check and /check/list share."""
    if request.method == "POST":
        limit = limiter(current_app)
        if not limit.allow(request.remote_addr or "unknown"):
            abort(429, f"Too many {what} from your address: at most {limit.limit} a minute. "
                       "Wait a minute and try again.")


def no_store(response: Any) -> Any:
    """An `after_request` for the private pages: never cached, and a 429 says when to retry."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    if response.status_code == 429:
        response.headers["Retry-After"] = str(int(WINDOW))
    return response


def no_store_site_state() -> dict[str, Any]:
    """Footer facts for the layout that need no database (the self-check never opens it)."""
    from watchdog.sources import list_sources, load_manifest

    # The manifests are files in the repository, not the store: reading them keeps the promise.
    listed = []
    for source_id in list_sources():
        try:
            m = load_manifest(source_id)
        except ValueError:
            continue
        listed.append({"source_id": m.id, "title": m.title, "publisher": m.publisher,
                       "official": m.official})
    return {"synthetic": False, "sources": listed, "no_store": True,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
