"""Wilson intervals, rate tables with small groups held back, and rates read from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from watchdog.audit.stats import RateRow, rate_table, rates_by, wilson_interval
from watchdog.store.db import get_engine, migrate
from watchdog.store.tables import AuditRun, Finding, Observation, RegimeVersion
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

# -- wilson_interval ---------------------------------------------------------------------------

@pytest.mark.parametrize("k,n,low,high", [
    (37, 52, 0.5770, 0.8166),   # the STYLE.md example: 71%, 95% CI 58-82%
    (5, 10, 0.2366, 0.7634),
    (1, 1, 0.2065, 1.0),
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
    (0, 1000, 0.0, 0.00383),
])
def test_wilson_known_values(k, n, low, high):
    got = wilson_interval(k, n)
    assert got == pytest.approx((low, high), abs=5e-4)


def test_wilson_edges_are_exact():
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0


def test_wilson_wider_with_larger_z():
    narrow, wide = wilson_interval(20, 50, z=1.0), wilson_interval(20, 50, z=2.576)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]


@pytest.mark.parametrize("k,n", [(0, 0), (1, 0), (-1, 5), (6, 5)])
def test_wilson_refuses_impossible_counts(k, n):
    with pytest.raises(ValueError):
        wilson_interval(k, n)


@given(st.integers(min_value=1, max_value=10**7).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_wilson_contains_the_rate_and_stays_in_0_1(kn):
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0


# -- rate_table --------------------------------------------------------------------------------

def test_rate_table_suppresses_small_groups_without_numbers():
    rows = rate_table([("西藏", 3, 1), ("北京", 52, 37), ("河南", 10, 0), ("上海", 9, 9)], k=10)
    assert [r.group for r in rows] == ["北京", "河南", "上海", "西藏"]
    beijing, henan, shanghai, tibet = rows
    assert (beijing.n, beijing.findings, beijing.suppressed) == (52, 37, False)
    assert beijing.rate == pytest.approx(37 / 52)
    assert (beijing.low, beijing.high) == pytest.approx((0.577, 0.817), abs=1e-3)
    assert (henan.n, henan.findings, henan.rate, henan.low) == (10, 0, 0.0, 0.0)  # k itself is shown
    for row in (shanghai, tibet):
        assert row == RateRow(group=row.group, suppressed=True)
        assert row.as_dict() == {"group": row.group, "suppressed": True, "n": None,
                                 "findings": None, "rate": None, "low": None, "high": None}


def test_rate_table_with_k_1_shows_everything():
    rows = rate_table([(None, 1, 1), ("a", 2, 0)], k=1)
    assert [(r.group, r.suppressed) for r in rows] == [("a", False), (None, False)]


# -- rates_by ----------------------------------------------------------------------------------

MANIFEST = {"id": "court_dishonest", "title": "List of dishonest judgment debtors",
            "publisher": "Supreme People's Court"}


def _row(i: int, province: str) -> ListingRow:
    return ListingRow(
        record_key=f"r{i}",
        subject={"key": f"s{i}", "kind": "person", "name": None, "code": None,
                 "province": province, "birth_year": None, "sex": None, "age_band": None},
        payload={"party_type": "person", "case_code": f"(2020)京01执{i}号"},
        facets={"party_type": "person", "province": province, "court": f"{province}法院",
                "circumstances": "c1", "performance": "全部未履行", "publish_month": "2020-01"})


def _store(url: str, tmp_path: Path) -> dict[str, int]:
    """12 listings in Beijing, 3 in Tibet, 1 Beijing listing later removed; two audit runs."""
    migrate(url)
    register_source(url, MANIFEST)
    rows = [_row(i, "北京") for i in range(13)] + [_row(100 + i, "西藏") for i in range(3)]
    seen = datetime.now(UTC) - timedelta(days=2)
    first = CrawlRecorder(url, tmp_path / "artifacts", "court_dishonest")
    first.write_batch(rows, None, seen_at=seen)
    first.finish(covers_whole_source=True)
    second = CrawlRecorder(url, tmp_path / "artifacts", "court_dishonest")
    second.write_batch([r for r in rows if r.record_key != "r12"], None,
                       seen_at=seen + timedelta(days=1))
    second.finish(covers_whole_source=True)
    obs = Observation.__table__
    now = datetime.now(UTC)
    with get_engine(url).begin() as conn:
        ids = dict(conn.execute(select(obs.c.record_key, obs.c.id)).all())
        version = conn.execute(insert(RegimeVersion.__table__).values(
            regime_id="cn_court_dishonest_list", version="2026.1.1", content_sha256="0" * 64,
            loaded_at=now, document="")).inserted_primary_key[0]
        runs = [conn.execute(insert(AuditRun.__table__).values(
            started_at=now, finished_at=now, status=status, as_of=now)).inserted_primary_key[0]
            for status in ("complete", "complete", "running")]

        def finding(run: int, key: str, check: str) -> dict[str, object]:
            return {"audit_run_id": run, "check_id": check, "severity": "high",
                    "observation_id": ids[key], "subject_id": 1, "regime_version_id": version,
                    "rule": "r", "citation": "c", "evidence": "verified", "summary": "s",
                    "detail": {}}

        current = runs[1]
        found = [finding(current, "r0", "minor_listed"), finding(current, "r0", "id_not_masked"),
                 finding(current, "r1", "minor_listed"), finding(current, "r2", "id_not_masked"),
                 finding(current, "r12", "minor_listed"),  # removed since: not in the rate
                 finding(current, "r100", "minor_listed")]
        # An older complete run and a newer unfinished one must both be ignored.
        found += [finding(runs[0], f"r{i}", "minor_listed") for i in range(3, 8)]
        found += [finding(runs[2], f"r{i}", "minor_listed") for i in range(3, 8)]
        conn.execute(insert(Finding.__table__), found)
    return {"current": current}


def test_rates_by_province_from_the_latest_complete_run(database_url, tmp_path):
    _store(database_url, tmp_path)
    rows = rates_by(database_url, "province", None, k=10)
    assert [r.as_dict() for r in rows] == [
        {"group": "北京", "suppressed": False, "n": 12, "findings": 3, "rate": 0.25,
         "low": pytest.approx(wilson_interval(3, 12)[0]),
         "high": pytest.approx(wilson_interval(3, 12)[1])},
        {"group": "西藏", "suppressed": True, "n": None, "findings": None, "rate": None,
         "low": None, "high": None},
    ]


def test_rates_by_one_check_and_by_court(database_url, tmp_path):
    _store(database_url, tmp_path)
    minors = {r.group: (r.n, r.findings) for r in rates_by(database_url, "province",
                                                           "minor_listed", k=3)}
    assert minors == {"北京": (12, 2), "西藏": (3, 1)}
    courts = {r.group: (r.n, r.findings) for r in rates_by(database_url, "court",
                                                           "id_not_masked", k=1)}
    assert courts == {"北京法院": (12, 2), "西藏法院": (3, 0)}


def test_rates_by_without_a_complete_run_is_empty(database_url, tmp_path):
    migrate(database_url)
    assert rates_by(database_url, "province") == []


def test_rates_by_rejects_other_groupings(sqlite_url):
    with pytest.raises(ValueError, match="province"):
        rates_by(sqlite_url, "subject_id")  # type: ignore[arg-type]
