"""`watchdog match`: join the store's company subjects across sources (see
`watchdog.companies_store`). `watchdog/cli.py` registers the command on its group."""

from __future__ import annotations

import sys

import click
from sqlalchemy.exc import SQLAlchemyError

from watchdog.config import ConfigError, get_settings


@click.command("match")
def match_command() -> None:
    """Match companies across sources and record every match with its method, score and reason.

    Safe to run again: matches that still hold are left as they are, new ones are added, and
    one that no longer holds is marked retracted (kept as history). Persons are never matched.
    """
    from watchdog.companies_store import run_matching

    try:
        summary = run_matching(get_settings().database_url)
    except (ConfigError, ValueError, OSError) as exc:
        click.echo(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                   err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        # The class name only: the message can carry the connection string.
        click.echo(f"error: the database cannot be used ({type(exc).__name__}); "
                   "run `watchdog init` first", err=True)
        sys.exit(1)
    click.echo(str(summary))
