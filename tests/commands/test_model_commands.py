"""`score` and `simulate` as click commands: text and JSON output, one-line errors, nothing kept."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdog.commands import score_command, simulate_command

RONGCHENG = {"events": [{"code": "bank_arrears_month", "count": 3}, {"code": "sued_found_in_breach"}]}
FICO = {"dimensions": {"payment_history": 0.8, "amounts_owed": 0.6, "length_of_history": 0.5,
                       "credit_mix": 0.7, "new_credit": 0.9}}


def test_score_from_stdin_prints_result_band_contributions_and_citations() -> None:
    result = CliRunner().invoke(score_command, ["rongcheng", "--input", "-"], input=json.dumps(RONGCHENG))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "score: 920" in out and "band: B (Fairly honest)" in out
    assert "-30  Bank loan arrears" in out and "[clt_rongcheng_assessment_standards, verified]" in out
    assert "what would move you up:" in out and "superseded on 18 June 2021" in out


def test_score_from_a_file_as_json_adds_up(tmp_path: Path) -> None:
    person = tmp_path / "person.json"
    person.write_text(json.dumps(FICO), encoding="utf-8")
    result = CliRunner().invoke(score_command, ["fico", "--input", str(person), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["result"]["score"], data["result"]["band"]["id"]) == (682, "good")
    assert sum(Decimal(c["value"]) for c in data["result"]["contributions"]) == 682
    move = data["counterfactual"]
    assert (move["target_band"], move["reachable"], move["score_after"]) == ("very_good", True, 740)


def test_score_gives_the_band_at_each_end_when_the_weight_sets_disagree() -> None:
    person = {"dimensions": {"credit_history": 0.55, "behaviour_preference": 0.9,
                             "fulfilment_capacity": 0.4, "identity_traits": 0.5, "connections": 0.5}}
    result = CliRunner().invoke(score_command, ["zhima", "--input", "-"], input=json.dumps(person))
    assert result.exit_code == 0, result.output
    assert "range: 694-709 (variant_a 709, variant_b 694); band very_good to excellent" in result.output
    assert "to reach excellent" in result.output


def test_score_of_a_court_listing_says_how_it_ends() -> None:
    listing = {"party_type": "person", "circumstances": ["违反财产报告制度"], "publish_date": "2017-11-26",
               "age": 40, "court": "某某区人民法院", "as_of": "2018-06-01"}
    result = CliRunner().invoke(score_command, ["cn_court_dishonest_list", "--input", "-"],
                                input=json.dumps(listing, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    assert "lawful ground: c4_violate_asset_reporting" in result.output
    assert "must be gone by 2019-11-29" in result.output
    as_json = CliRunner().invoke(score_command, ["cn_court_dishonest_list", "--input", "-", "--json"],
                                 input=json.dumps(listing))
    assert json.loads(as_json.output)["verdict"]["term_end"] == "2019-11-26"


def test_a_person_can_assert_facts_the_record_cannot_hold() -> None:
    listing = {"party_type": "person", "circumstances": ["有履行能力而拒不履行生效法律文书确定义务"],
               "publish_date": "2018-05-02", "as_of": "2019-01-01",
               "asserted_exclusions": ["adequate_security"]}
    result = CliRunner().invoke(score_command, ["cn_court_dishonest_list", "--input", "-"],
                                input=json.dumps(listing, ensure_ascii=False))
    assert result.exit_code == 0, result.output
    assert "[contest] The debtor had given adequate and effective security (open now)" in result.output
    # Asserted on a listing that also rests on asset reporting: no ground to contest, and why.
    listing["circumstances"] = ["有履行能力而拒不履行生效法律文书确定义务,违反财产报告制度"]
    both = CliRunner().invoke(score_command, ["cn_court_dishonest_list", "--input", "-"],
                              input=json.dumps(listing, ensure_ascii=False))
    assert "adequate and effective security (open now)" not in both.output
    assert "also rests on c4_violate_asset_reporting" in both.output


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["fico", "--input", "-"], '{"dimensions": {"payment_history": 2}}',
     "error: input: dimensions.payment_history: 2 is outside 0 to 1"),
    (["fico", "--input", "-"], "{not json", "error: input: not valid JSON"),
    (["no_such_regime", "--input", "-"], "{}", "error: data/regimes/no_such_regime.yaml: (file): file not found"),
    (["cn_court_dishonest_list", "--input", "-"], '{"party_type": "robot"}', "error: input: party_type: "),
    (["cn_court_dishonest_list", "--input", "-"], '{"party_type": "person", "as_of": "soon"}',
     "error: input: as_of: expected a date as YYYY-MM-DD, got 'soon'"),
    (["cn_court_dishonest_list", "--input", "-"],
     '{"party_type": "person", "asserted_exclusions": ["rich_uncle"]}',
     "error: input: asserted_exclusions: unknown rich_uncle; known: adequate_security, "),
])
def test_score_errors_are_one_line(args: list[str], stdin: str, message: str) -> None:
    result = CliRunner().invoke(score_command, args, input=stdin)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output
    assert result.output.count("\n") == 1


def test_score_keeps_and_logs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("WATCHDOG_HOME", str(home))
    secret = {"dimensions": {**FICO["dimensions"], "payment_history": 0.123456789}}
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(score_command, ["fico", "--input", "-"], input=json.dumps(secret))
    assert result.exit_code == 0
    assert list(cwd.iterdir()) == []
    assert not home.exists()
    assert "0.123456789" not in caplog.text


def test_simulate_prints_the_distribution_and_band_shares() -> None:
    result = CliRunner().invoke(simulate_command, ["zhima", "--people", "3000", "--degree", "5",
                                                   "--alpha", "0.4", "--seed", "7"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "3,000 synthetic people, 15,000 contact edges, alpha 0.4, seed 7" in out
    assert "share in each band (own -> with contacts):" in out and "excellent" in out
    assert "share below each perk's threshold:" in out and "singapore_visa_alitrip" in out
    again = CliRunner().invoke(simulate_command, ["zhima", "--people", "3000", "--degree", "5",
                                                  "--alpha", "0.4", "--seed", "7"])
    assert again.output == out


def test_simulate_json_and_errors() -> None:
    result = CliRunner().invoke(simulate_command, ["rongcheng", "--people", "500", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["people"] == 500
    bad = CliRunner().invoke(simulate_command, ["rongcheng", "--people", "500", "--alpha", "1.5"])
    assert (bad.exit_code, bad.output) == (1, "error: alpha must be from 0 to 0.999, got 1.5\n")
    listed = CliRunner().invoke(simulate_command, ["cn_court_dishonest_list", "--people", "500"])
    assert listed.output.startswith("error: cn_court_dishonest_list is a list regime")


def test_score_says_when_a_perk_depends_on_the_weight_set() -> None:
    # Set A gives 778, set B 748: the 750 visas hold under set A only.
    person = {"dimensions": {"credit_history": 0.75, "behaviour_preference": 1, "fulfilment_capacity": 0,
                             "identity_traits": 1, "connections": 1}}
    out = CliRunner().invoke(score_command, ["zhima", "--input", "-"], input=json.dumps(person)).output
    canada = next(line for line in out.splitlines() if "Canada visitor visa" in line)
    assert canada.split()[0] == "depends"
    assert "the person gets it" not in canada
    assert "depends on the weight set: it needs 750 or more, and the score is 778 with variant_a, " \
           "748 with variant_b" in canada
    singapore = next(line for line in out.splitlines() if "Singapore visa" in line)
    assert singapore.split()[0] == "yes"


def test_simulate_past_the_budget_or_out_of_memory_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = CliRunner().invoke(simulate_command, ["zhima", "--people", "10000000", "--degree", "1000000"])
    assert huge.exit_code == 1
    assert huge.output.startswith("error: people x degree is 10,000,000,000,000 contact edges; the budget is ")
    assert huge.output.count("\n") == 1 and "Traceback" not in huge.output

    def no_memory(*args: object, **kwargs: object) -> None:
        raise MemoryError("Unable to allocate 72.8 TiB for an array with shape (10000000, 1000000)")

    monkeypatch.setattr("watchdog.commands.model_commands.simulate", no_memory)
    short = CliRunner().invoke(simulate_command, ["zhima", "--people", "1000", "--degree", "5"])
    assert short.exit_code == 1
    assert short.output == ("error: out of memory: 1,000 people x 5 contacts does not fit in this machine's "
                            "memory; try fewer people or a lower degree\n")


def test_score_refuses_more_contacts_than_the_cap() -> None:
    from watchdog.model.person import MAX_CONTACTS

    person = {"contacts": [{"id": i, "score": 600} for i in range(MAX_CONTACTS + 1)]}
    result = CliRunner().invoke(score_command, ["sesame_2015_described", "--input", "-"], input=json.dumps(person))
    assert (result.exit_code, result.output) == (
        1, f"error: input: contacts: at most {MAX_CONTACTS:,} contacts, got {MAX_CONTACTS + 1:,}\n")


def test_input_nested_thousands_deep_is_a_one_line_error() -> None:
    result = CliRunner().invoke(score_command, ["fico", "--input", "-"], input="[" * 100_000)
    assert result.exit_code == 1
    assert result.output == "error: the input is nested too deeply to be a person's inputs\n"
