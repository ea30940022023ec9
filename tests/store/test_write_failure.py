"""The reason a refused batch leaves on the public /sources page names no server, role or database."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from watchdog.store.writer import write_failure


def _refused(url: str) -> SQLAlchemyError:
    # A real connection attempt, refused by a real driver: the message is psycopg's own.
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    with pytest.raises(SQLAlchemyError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return caught.value


def test_a_refused_connection_is_reported_without_host_or_port() -> None:
    # Port 9 (discard) has no PostgreSQL on 127.0.0.1: refused before any login.
    reason = write_failure(_refused("postgresql+psycopg://scorewatch@127.0.0.1:9/anything"))
    assert "OperationalError" in reason and "the database server" in reason
    assert "127.0.0.1" not in reason and "port 9" not in reason
    assert "the batches after it were not written" in reason


@pytest.mark.parametrize(("message", "hidden"), [
    ('connection failed: connection to server at "db.internal" (10.0.0.7), port 5433 failed: '
     'FATAL:  role "crawler" does not exist', ["db.internal", "10.0.0.7", "5433", "crawler"]),
    ('connection failed: connection to server on socket "/run/pg/.s.PGSQL.5432" failed: '
     'FATAL:  database "scorewatch_prod" does not exist', ["/run/pg", "scorewatch_prod"]),
    ('connection failed: FATAL:  password authentication failed for user "watch"', ["watch\""]),
])
def test_server_role_and_database_names_are_withheld(message: str, hidden: list[str]) -> None:
    reason = write_failure(psycopg.OperationalError(message))
    for secret in hidden:
        assert secret not in reason
    assert reason.startswith("writing to the store failed (OperationalError: connection failed")


def test_a_constraint_message_is_kept_as_the_driver_said_it() -> None:
    reason = write_failure(RuntimeError("UNIQUE constraint failed: observation.record_key\n"
                                        "[SQL: INSERT INTO observation ...]"))
    assert "UNIQUE constraint failed: observation.record_key" in reason
    assert "[SQL" not in reason


@pytest.mark.parametrize(("message", "hidden"), [
    # psycopg's own resolver, and libpq's: the store's host name.
    ("failed to resolve host 'db.internal.example': [Errno -2] Name or service not known",
     ["db.internal.example"]),
    ('could not translate host name "pg-primary.corp" to address: Name or service not known',
     ["pg-primary.corp"]),
    # pg_hba names the address the crawler connects from, with its role and database.
    ('connection failed: FATAL:  no pg_hba.conf entry for host "10.1.2.3", user "watch", '
     'database "scorewatch_prod", SSL off', ["10.1.2.3", "watch\"", "scorewatch_prod"]),
])
def test_host_names_and_addresses_are_withheld(message: str, hidden: list[str]) -> None:
    reason = write_failure(psycopg.OperationalError(message))
    for secret in hidden:
        assert secret not in reason, reason


def test_a_name_cut_at_the_reason_length_is_still_withheld() -> None:
    # The reason keeps 200 characters of the driver's line: a database name that straddles
    # the cut lost its closing quote and was shown in part.
    message = "x" * 180 + ' database "scorewatch_production_eu_west" does not exist'
    reason = write_failure(psycopg.OperationalError(message))
    assert "scorewatch_pro" not in reason and "database (withheld)" in reason
