"""The `watchdog` command (also `python -m watchdog`).

Every command has `--help`; on failure it prints one line starting `error:` and exits non-zero.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from watchdog.config import ConfigError, ensure_secret, get_settings, load_secret

EXPECTED_ERRORS: tuple[type[BaseException], ...] = (ConfigError, OSError, ValueError, RuntimeError)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into one line and a non-zero exit; `--debug` shows the trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except EXPECTED_ERRORS as exc:
            if os.environ.get("WATCHDOG_DEBUG"):
                raise
            _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except SQLAlchemyError as exc:
            if os.environ.get("WATCHDOG_DEBUG"):
                raise
            # Never the statement's parameters: they can hold scraped personal data.
            cause = getattr(exc, "orig", None) or exc
            first = str(cause).splitlines()[0][:200] if str(cause) else ""
            _fail(f"database error ({type(cause).__name__}): {first} "
                  "(set WATCHDOG_DEBUG=1 for the full trace)")

    return wrapper


class _QueryWithheld(logging.Filter):
    """Log lines without URL query strings: Scrapy names the request it gave up on, and a
    zxgk detail URL carries a listing's case number and record id. A logged exception keeps
    its trace (where it happened) but not its text: Scrapy logs a page's unforeseen error with
    its traceback, and an exception's text can quote the record it choked on (KeyError('张三')),
    which must not reach a file under WATCHDOG_HOME."""

    def filter(self, record: logging.LogRecord) -> bool:
        from watchdog.privacy import withhold_url_queries

        message = record.getMessage()
        cleaned = withhold_url_queries(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = trace_without_text(record.exc_info[1])
            record.exc_info = None
        return True


EXCEPTION_TEXT_WITHHELD = "(text withheld: it may quote a record)"


def trace_without_text(exc: BaseException) -> str:
    """The traceback of `exc` and of the exceptions it was raised from or during, each with
    its frames and type and none of its text."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__)
    parts = ["Traceback (most recent call last):\n"
             + "".join(traceback.format_tb(e.__traceback__))
             + f"{type(e).__module__}.{type(e).__qualname__}: {EXCEPTION_TEXT_WITHHELD}"
             for e in reversed(chain)]
    return "\n\nDuring or because of it:\n\n".join(parts)


def _setup_logging() -> None:
    settings = get_settings()
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(settings.log_dir / "watchdog.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(_QueryWithheld())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


class LazyGroup(click.Group):
    """A group whose commands in `watchdog.commands` are imported when they are run or listed,
    not when the program starts: `watchdog crawl` no longer loads the model (SciPy, the
    regimes: half a second) that only `score` and `simulate` use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return super().get_command(ctx, name)
        module, attribute = self.lazy[name].rsplit(".", 1)
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong path above
            raise TypeError(f"{self.lazy[name]} is not a click command")
        return command


LAZY_COMMANDS = {
    "score": "watchdog.commands.model_commands.score_command",
    "simulate": "watchdog.commands.model_commands.simulate_command",
    "jobs": "watchdog.commands.jobs_commands.jobs_group",
    "admin": "watchdog.commands.jobs_commands.admin_group",
    "match": "watchdog.commands.match_commands.match_command",
}


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS)
def cli() -> None:
    """Scorewatch: model, scrape, audit and publish social-scoring systems."""


@cli.command()
@friendly
def init() -> None:
    """Create WATCHDOG_HOME, the HMAC secret and the database schema."""
    from watchdog.sources import list_sources, load_manifest
    from watchdog.store.db import migrate
    from watchdog.store.writer import register_source

    settings = get_settings()
    ensure_secret(settings)
    migrate(settings.database_url)
    for sid in list_sources():
        register_source(settings.database_url, load_manifest(sid).model_dump())
    click.echo(f"initialised {settings.home}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--day", default=1, show_default=True, type=int, help="Publication day (1 or 2).")
@click.option("--fail", "failure", default=None,
              type=click.Choice(["block412", "captcha", "http500", "truncated", "layout"]),
              help="Make data pages fail this way, from --fail-from-page on (a source served "
                   "as one document fails at that document).")
@click.option("--fail-from-page", default=1, show_default=True, type=click.IntRange(min=0),
              help="First page (from 0) a --fail switch hits: 1 lets each paged source's first "
                   "page through, as a WAF that wakes up mid-crawl.")
@friendly
def mirror(host: str, port: int, day: int, failure: str | None, fail_from_page: int) -> None:
    """Serve the offline mirror of every source (synthetic demo data) on 127.0.0.1."""
    from watchdog.mirror.server import run_mirror

    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the mirror only binds to the loopback interface")
    run_mirror(host, port, day, failure, fail_from_page)


@cli.command()
@click.argument("sources", nargs=-1)
@click.option("--mirror", "mirror_url", default=None, help="Crawl the offline mirror at this URL.")
@click.option("--path", default=None, help="Way into the source (e.g. baidu or zxgk).")
@click.option("--expect-min", default=None, type=int,
              help="Override the manifest's minimum expected record count.")
@click.option("--progress/--no-progress", default=True)
@friendly
def crawl(sources: tuple[str, ...], mirror_url: str | None, path: str | None,
          expect_min: int | None, progress: bool) -> None:
    """Crawl SOURCES (default: all), archive every response, record observations."""
    from watchdog.crawl import run_crawls

    settings = get_settings()
    load_secret(settings)
    _setup_logging()
    outcomes = run_crawls(list(sources), database_url=settings.database_url, base_url=mirror_url,
                          path=path, expected_min=expect_min, progress=progress)
    bad = []
    for outcome in outcomes:
        for reason in outcome.rejections:
            click.echo(f"rejected: {reason}")
        click.echo(outcome.summary_line())
        if outcome.status != "complete":
            bad.append(f"{outcome.source_id}: crawl {outcome.status}: {outcome.reason}"
                       + _withheld(outcome.counts.withheld))
    if bad:
        _fail("; ".join(bad) + " (earlier data kept, nothing marked removed)")


def _withheld(count: int) -> str:
    return (f" ({count} change(s) to stored listings seen but not applied: only a complete "
            "crawl changes them)" if count else "")


@cli.command("import")
@click.argument("source")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=True)
@friendly
def import_(source: str, file: Path, progress: bool) -> None:
    """Import a saved FILE of SOURCE through the crawl's own parser."""
    from watchdog.importer import import_file
    from watchdog.privacy import Keyer
    from watchdog.sources import load_manifest
    from watchdog.store.db import migrate
    from watchdog.store.writer import register_source

    settings = get_settings()
    keyer = Keyer(load_secret(settings))
    _setup_logging()
    manifest = load_manifest(source)
    migrate(settings.database_url)
    register_source(settings.database_url, manifest.model_dump())
    outcome = import_file(manifest, file, database_url=settings.database_url,
                          artifacts_dir=settings.artifacts_dir, keyer=keyer, progress=progress)
    for reason in outcome.rejections:
        click.echo(f"rejected: {reason}")
    click.echo(outcome.summary_line())
    if outcome.status in ("failed", "blocked"):
        _fail(f"{source}: import {outcome.status}: {outcome.reason}"
              + _withheld(outcome.counts.withheld))
    if outcome.status == "partial":
        # Records a crawl stored that the file would change are among the rejections above.
        click.echo(f"note: {outcome.reason}", err=True)


@cli.command()
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Judge listings as of this date (default: today).")
@click.option("--progress/--no-progress", default=True)
@friendly
def audit(as_of: Any, progress: bool) -> None:
    """Hold every current listing against its regime's published rules."""
    from watchdog.audit.runner import run_audit
    from watchdog.progress import Progress

    settings = get_settings()
    day: date | None = as_of.date() if as_of else None
    bar = Progress("audit", enabled=progress)
    try:
        summary = run_audit(settings.database_url, as_of=day, progress=bar.update)
    finally:
        bar.close()
    click.echo(str(summary))


@cli.command("export")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "json", "sqlite"]),
              help="csv: a directory of CSV files with metadata.json and README.txt; json: one "
                   "file; sqlite: one file, with Datasette metadata in OUT.metadata.yml beside "
                   "it (OUT's suffix replaced).")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace OUT (and its metadata file) if it exists.")
@click.option("--progress/--no-progress", default=True)
@friendly
def export_(fmt: str, out: Path, force: bool, progress: bool) -> None:
    """Write what the dashboards publish to OUT as open data (persons only as suppressed counts)."""
    from watchdog.export import run_export

    result = run_export(get_settings().database_url, out, fmt, force=force, progress=progress)
    click.echo(result.summary_line())


def _serve(host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    from dashboards import create_app
    from dashboards.request_log import PrivateRequestHandler

    app = create_app()
    click.echo(f"serving on http://{host}:{port}/ (Ctrl-C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False,
               request_handler=PrivateRequestHandler)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--scheduler/--no-scheduler", default=True,
              help="Run the scheduled crawls and audits in this process.")
@friendly
def serve(host: str, port: int, scheduler: bool) -> None:
    """Serve the dashboards (and, unless --no-scheduler, the scheduled crawls)."""
    from watchdog.jobs import start_scheduler_for_serve

    sched = start_scheduler_for_serve(get_settings().database_url) if scheduler else None
    if scheduler and sched is None:
        click.echo("scheduler off: run `watchdog init` first", err=True)
    try:
        _serve(host, port)
    finally:
        if sched is not None:
            sched.shutdown(wait=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--rebuild/--no-rebuild", default=False,
              help="Crawl the mirror again even when the database already has data.")
@friendly
def demo(host: str, port: int, rebuild: bool) -> None:
    """init, serve the mirror, crawl it on two publication days, audit, serve the dashboards.

    The demo serves without the scheduler: its data comes from the offline mirror, and a
    scheduled crawl would go to the live sources."""
    from watchdog.demo import build_demo

    ctx = click.get_current_context()
    ctx.invoke(init)
    build_demo(get_settings(), rebuild=rebuild, echo=click.echo)
    _serve(host, port)


def run_cli_subprocess(args: list[str], env: dict[str, str] | None = None) -> int:
    """Run `python -m watchdog ARGS` in a fresh process (each crawl needs its own reactor)."""
    return subprocess.call([sys.executable, "-m", "watchdog", *args], env=env)


def main() -> None:
    cli(prog_name="watchdog")
