"""`watchdog jobs list|run` and `watchdog admin set-password`.

Both groups are plain click objects; `watchdog/cli.py` registers them on its group. Failures
print one line starting `error:` and exit 1, like every other command. The admin password is
read from a hidden prompt (twice) or from standard input, hashed, and never printed or logged.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from watchdog.config import ConfigError, get_settings


def _one_line_errors(func: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except (ConfigError, ValueError, OSError) as exc:  # ManifestError is a ValueError
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"error: {text}", err=True)
            sys.exit(1)
        except SQLAlchemyError as exc:
            # The class name only: the message can carry the connection string.
            click.echo(f"error: the database cannot be used ({type(exc).__name__}); "
                       "run `watchdog init` first", err=True)
            sys.exit(1)

    return wrapper


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "-"


def job_line(job: dict[str, Any], widths: tuple[int, int] = (0, 0)) -> str:
    """`crawl:x  0 3 * * 1 (UTC)  next 2026-11-23 03:00 UTC  last 2026-11-16 03:00 UTC complete`"""
    last = job["last_run"]
    last_text = f"last {_when(last.started_at)} {last.status}" if last else "last never"
    next_text = f"next {_when(job['next_run'])}"
    if job["id"].startswith("crawl:") and not job["stored"]:
        next_text += " (not yet in the scheduler)"
    if job["retry_at"] is not None:
        next_text += f", retry {job['retry_attempt']} at {_when(job['retry_at'])}"
    return (f"{job['id']:<{widths[0]}}  {job['schedule']:<{widths[1]}}  {next_text}  "
            f"{last_text}")


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled crawls (one per source manifest, each followed by an audit) and their runs."""


@jobs_group.command("list")
@_one_line_errors
def jobs_list() -> None:
    """One line per job: id, schedule, next run, last run and its status."""
    from watchdog.jobs import list_jobs
    from watchdog.store.db import migrate

    settings = get_settings()
    migrate(settings.database_url)
    rows = list_jobs(settings.database_url)
    widths = (max(len(r["id"]) for r in rows), max(len(r["schedule"]) for r in rows))
    for row in rows:
        click.echo(job_line(row, widths))


@jobs_group.command("run")
@click.argument("job")
@click.option("--mirror", "mirror_url", default=None, help="Crawl the offline mirror at this URL.")
@click.option("--expect-min", default=None, type=click.IntRange(min=0),
              help="Override the manifest's minimum expected record count.")
@_one_line_errors
def jobs_run(job: str, mirror_url: str | None, expect_min: int | None) -> None:
    """Run JOB now in the foreground and record the run (e.g. crawl:court_dishonest, audit).

    Exits non-zero unless the run is complete. A run started here is not retried
    automatically; the scheduler in `watchdog serve` retries the runs it starts.
    """
    from watchdog.jobs import run_job
    from watchdog.store.db import migrate

    settings = get_settings()
    migrate(settings.database_url)
    summary = run_job(job, database_url=settings.database_url, mirror_url=mirror_url,
                      expect_min=expect_min)
    click.echo(summary.line())
    if summary.status != "complete":
        click.echo(f"error: {job}: run {summary.run_id} {summary.status}", err=True)
        sys.exit(1)


@click.group("admin")
def admin_group() -> None:
    """The admin page's login."""


@admin_group.command("set-password")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (for scripts).")
@_one_line_errors
def admin_set_password(password_stdin: bool) -> None:
    """Set the /admin password; only a salted hash is stored, in WATCHDOG_HOME/admin.json."""
    from watchdog.store.admin_tables import check_new_password, save_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New admin password", hide_input=True,
                                confirmation_prompt="Repeat it", value_proc=_checked)
    check_new_password(password)
    path = save_password(get_settings().home, password)
    click.echo(f"admin password set (salted hash in {path}); signed-in sessions must log in again")


def _checked(value: str) -> str:
    from watchdog.store.admin_tables import check_new_password

    try:
        check_new_password(value)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    return value
