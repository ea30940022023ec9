"""After a crawl of the mirror, imports of the shared samples and an audit, no natural person's
name or ID number (masked or not) is anywhere under WATCHDOG_HOME (database, archived artifacts,
logs) or in any page or export."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from watchdog.mirror.generator import generate, truth

SAMPLES = REPO / "tests" / "fixtures" / "court_dishonest"
# Persons named in the shared samples (already sanitised upstream, still must not be stored).
SAMPLE_NAMES = ["秦某某", "万某某", "蔡某某", "程某", "李某", "揭某某", "甘某某"]
SAMPLE_IDS = ["5135211959****1784", "4222011989****1784", "3301061976****8089"]


def _forbidden() -> set[str]:
    day = truth(1)
    public_text = " ".join(
        " ".join(str(r.get(k, "")) for k in ("courtName", "gistUnit", "areaName"))
        # Adjacent columns of one database row read as one string in the raw file.
        + " " + str(r.get("areaName", "")) + str(r.get("courtName", ""))
        + (" " + r["iname"] if day[str(r["id"])]["party"] == "company" else "")
        for r in generate(1))
    # Companies are public actors; a company named in an obligation text is public text too.
    public_text += " ".join(m[0] for r in generate(1) for m in _ORG.finditer(r.get("duty") or ""))
    names: set[str] = set(SAMPLE_NAMES)
    ids: set[str] = set(SAMPLE_IDS)
    for meta in day.values():
        names.update(meta.get("person_names") or [])
        if meta["party"] == "person":
            ids.update(x for x in (meta.get("cardNum"), meta.get("full_id")) if x)
    # A two-character name can also be an ordinary word in a court or company name; those few
    # cannot be told apart from a leak, so they are left out (and counted below).
    names = {n for n in names if n and n not in public_text}
    return names | ids


_ORG = re.compile(r"[\u4e00-\u9fff]{2,}?(?:有限责任公司|股份有限公司|有限公司|公司|厂|合作社)")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_ID_LIKE = re.compile(r"[0-9]{6}[0-9*]{8}[0-9]{3}[0-9Xx]")


def _leaks(blob: bytes, forbidden: set[str]) -> list[str]:
    """Forbidden names and IDs found in `blob`, read as UTF-8 and as ASCII-escaped JSON.

    Set lookups over every 2-4 character window of each run of Han characters, so 40,000
    forbidden values can be checked against tens of megabytes in seconds.
    """
    text = blob.decode("utf-8", "replace")
    text = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)
    found = {m[0] for m in _ID_LIKE.finditer(text) if m[0] in forbidden}
    for run in _HAN_RUN.finditer(text):
        chars = run[0]
        for size in (2, 3, 4):
            for i in range(len(chars) - size + 1):
                if chars[i:i + size] in forbidden:
                    found.add(chars[i:i + size])
    return sorted(found)


def _home_blobs(home: Path) -> dict[str, bytes]:
    blobs = {}
    for path in home.rglob("*"):
        if not path.is_file() or path.name == "secret.key":
            continue
        data = path.read_bytes()
        blobs[str(path.relative_to(home))] = gzip.decompress(data) if path.suffix == ".gz" else data
    return blobs


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_person_name_or_id_survives_anywhere(cli_env, database_url, mirror, tmp_path):
    forbidden = _forbidden()
    assert len(forbidden) > 20000, "the check must cover the generated persons"
    assert run_cli(cli_env, "init").returncode == 0
    crawl = run_cli(cli_env, "crawl", "court_dishonest", "--mirror", mirror.url, "--no-progress")
    assert crawl.returncode == 0, crawl.stderr
    for sample in sorted(SAMPLES.glob("*.json")):
        run_cli(cli_env, "import", "court_dishonest", str(sample), "--no-progress")
    audit = run_cli(cli_env, "audit")
    assert audit.returncode == 0, audit.stderr
    for output in (crawl.stdout, crawl.stderr, audit.stdout):
        assert not _leaks(output.encode("utf-8"), forbidden)

    # The home and, beside it in this test, the SQLite database and its WAL.
    blobs = _home_blobs(tmp_path)
    assert any(k.endswith(".gz") for k in blobs) and any("sqlite" in k for k in blobs)
    for name, blob in blobs.items():
        leaked = _leaks(blob, forbidden)
        assert not leaked, f"{name} holds {len(leaked)} person name(s)/ID(s) in clear"

    from dashboards import create_app
    from watchdog.config import get_settings

    client = create_app(database_url=database_url,
                        artifacts_dir=get_settings().artifacts_dir).test_client()
    pages = ["/", "/lists", "/lists.json", "/lists.csv", "/courts.json", "/findings", "/findings.json",
             "/findings.csv", "/sources", "/sources.json", "/sources.csv",
             "/lists?party_type=person", "/lists.csv?party_type=company"]
    rows = client.get("/findings.json?per_page=100").get_json()["rows"]
    raws = sorted({f"/artifacts/{r['artifact_sha256']}.raw" for r in rows})[:20]
    pages += [raw.removesuffix(".raw") for raw in raws]
    for raw in raws:  # the redacted bytes are for administrators; the public gets a refusal
        assert client.get(raw).status_code == 403, raw
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        leaked = _leaks(response.data, forbidden)
        assert not leaked, f"{page} shows {len(leaked)} person name(s)/ID(s)"
