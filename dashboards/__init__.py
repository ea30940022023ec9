"""The public website and JSON API: read-only pages over the store.

`create_app` builds the Flask app; each page is one blueprint in `views/` (overview, lists,
findings, artifacts, sources, methodology, health, api). Table pages have `.json` and `.csv`
twins with the same query string (`views/_twins.py`). Figures are built server-side in
`charts.py` and drawn by the plotly.js shipped inside the plotly package, served from
`/static/plotly.min.js`: no page loads anything from another host, and a strict
Content-Security-Policy (no inline scripts, no eval) is sent with every response.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import plotly
from flask import Flask, Response, render_template, request, send_file
from markupsafe import soft_str
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboards.views._cache import StoreCache
from watchdog.config import flask_secret, get_settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(database_url: str | None = None, artifacts_dir: Path | None = None,
               **overrides: Any) -> Flask:
    """Build the site over one store. `overrides` go into `app.config` (e.g. SUPPRESSION_K)."""
    settings = get_settings()
    app = Flask(__name__)
    app.config.update(
        DATABASE_URL=database_url or settings.database_url,
        ARTIFACTS_DIR=Path(artifacts_dir or settings.artifacts_dir),
        SUPPRESSION_K=10,  # person counts 1..k-1 are shown as "<k"
        PAGE_SIZE=50,
    )
    app.config.update(overrides)
    _trust_proxies(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = flask_secret(settings)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep "rows" after the metadata

    # Aggregates kept until the store changes (dashboards.views._cache).
    app.extensions["scorewatch_cache"] = StoreCache()
    _register_blueprints(app)
    _register_hooks(app)

    @app.get("/static/plotly.min.js")
    def plotly_js() -> Response:
        return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)

    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (`WATCHDOG_TRUSTED_PROXIES=N`, or the TRUSTED_PROXIES setting),
    take the client's address from the X-Forwarded-For header they add: otherwise every visitor
    has the proxy's address and shares one rate-limit allowance. Never trusted by default: a
    client could then name any address it liked."""
    raw = app.config.get("TRUSTED_PROXIES", os.environ.get("WATCHDOG_TRUSTED_PROXIES", "0"))
    try:
        proxies = int(raw)
    except (TypeError, ValueError):
        raise ValueError(f"WATCHDOG_TRUSTED_PROXIES must be a whole number, not {raw!r}") from None
    if proxies < 0:
        raise ValueError("WATCHDOG_TRUSTED_PROXIES must not be negative")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def _register_blueprints(app: Flask) -> None:
    from dashboards.views import (
        admin,
        api,
        artifacts,
        changes,
        check,
        check_list,
        companies,
        courts,
        findings,
        health,
        lists,
        methodology,
        model_pages,
        overview,
        simulate,
        source_detail,
        sources,
    )

    for module in (overview, lists, courts, findings, changes, artifacts, sources, source_detail,
                   methodology, health, api, model_pages, check, check_list, simulate, admin,
                   companies):
        app.register_blueprint(module.bp)


def _register_hooks(app: Flask) -> None:
    from dashboards.views._common import LICENCE, SYNTHETIC_NOTICE, site_state
    from dashboards.views._twins import query_with, twin_url
    from dashboards.views.model_data import signal_effect

    @app.context_processor
    def site() -> dict[str, Any]:
        return {"site": site_state(), "licence": LICENCE, "synthetic_notice": SYNTHETIC_NOTICE,
                "query_with": query_with, "twin_url": twin_url,
                "k": app.config["SUPPRESSION_K"]}

    @app.template_filter("num")
    def number(value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)

    @app.template_filter("when")
    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if hasattr(value, "strftime") else "—"

    @app.template_filter("upper_first")
    def upper_first(value: Any) -> str:
        """Upper-case the first character only. Jinja's `capitalize` also lower-cases the rest,
        which turns grade "C" into "c", "AA" into "aa" and "Japan" into "japan"."""
        text = soft_str(value)  # keeps Markup as Markup, so it is not escaped twice
        return text[:1].upper() + text[1:]

    # One wording of a described signal's effect for /model and the regime page (model_data).
    app.add_template_filter(signal_effect, "signal_effect")

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Any, int]:
        return _error(error.code or 500, error.name, error.description or "")

    @app.errorhandler(OperationalError)
    @app.errorhandler(ProgrammingError)
    def database_error(error: Exception) -> tuple[Any, int]:
        app.logger.error("database error: %s", type(error).__name__)
        return _error(503, "Database not ready",
                      "The store cannot be read. If this is a new install, run `watchdog init`.")


def _error(code: int, name: str, message: str) -> tuple[Any, int]:
    if request.path.endswith(".json") or request.path.startswith(("/api/", "/healthz")):
        return {"error": name, "status": code, "message": message}, code
    if request.path.endswith((".csv", ".raw")):
        return Response(f"{code} {name}: {message}\n", mimetype="text/plain"), code
    try:
        return render_template("error.html", code=code, name=name, message=message), code
    except Exception:  # the error page itself needs the database for its footer
        return Response(f"{code} {name}: {message}\n", mimetype="text/plain"), code
