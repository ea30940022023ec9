"""`score` and `simulate` as click commands: text and JSON output, one-line errors, nothing kept."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdog.commands.model_commands import score_command, simulate_command

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
    assert "score: 694–709, very good to excellent (the reported weight sets disagree" in result.output
    assert "    variant_a: 709, excellent (Reported set A" in result.output
    assert "    variant_b: 694, very good (Reported set B" in result.output
    assert "to reach excellent under every reported weight set" in result.output


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


# The reviewer's case: set A 707 (excellent), set B 677 (very good), equally likely.
REVIEWED = {"dimensions": {"credit_history": 0.7, "behaviour_preference": 1, "fulfilment_capacity": 0,
                           "identity_traits": 0.5, "connections": 0.5}}


def _score(regime: str, person: object, *extra: str) -> str:
    result = CliRunner().invoke(score_command, [regime, "--input", "-", *extra], input=json.dumps(person))
    assert result.exit_code == 0, result.output
    return result.output


def test_several_weight_sets_lead_with_the_range_and_name_each_sets_score() -> None:
    out = _score("zhima", REVIEWED)
    lines = out.splitlines()
    assert lines[1].startswith("score: 677–707, very good to excellent (the reported weight sets disagree, "
                               "so the score is this range, not one number)")
    assert "score: 707" not in out and "band: excellent (Excellent)" not in out
    assert "    variant_a: 707, excellent (Reported set A: behaviour 25%, fulfilment 20%) " \
           "[zhima_weights_variant_a_nchuafeng, disputed]" in lines
    assert "    variant_b: 677, very good (Reported set B: behaviour 20%, fulfilment 25%) " \
           "[zhima_weights_variant_b_huiyuanjidian, disputed]" in lines
    assert "band: very_good (Very good) to excellent (Excellent) [wsalc_2015_zhima_launch, secondary]" in lines
    # The contributions say whose score they add up to.
    assert "contributions under variant_a (Reported set A: behaviour 25%, fulfilment 20%); " \
           "they add up to its score, 707:" in lines
    assert "  = 707 under variant_a" in lines
    # The target agrees with the band range: excellent under both sets, 709 under the harsher.
    assert "  to reach excellent under every reported weight set (709 points under the harshest, " \
           "variant_b; 739 under variant_a):" in lines
    assert "to reach excellent (739)" not in out
    # A perk settled under both sets names the range, not set A's score.
    assert "needs 750 or more; the score is 677 to 707" in out


def test_json_leads_with_the_range_and_writes_exact_numbers() -> None:
    raw = _score("zhima", REVIEWED, "--json")
    data = json.loads(raw)
    result = data["result"]
    assert list(result).index("range") < list(result).index("score")
    assert (result["shown_for"], result["range"]["bands"]) == (
        "variant_a", {"variant_a": "excellent", "variant_b": "very_good"})
    dims = {c["id"]: c for c in result["contributions"]}
    assert dims["credit_history"]["value"] == 147 and isinstance(dims["credit_history"]["value"], int)
    assert '"count": 0.7,' in raw and '"per_unit": 0.35,' in raw   # a number, with its own digits
    change = data["counterfactual"]["changes"][0]
    assert (change["before"], change["after"]) == (0.7, 0.85)
    assert data["counterfactual"]["range_after"]["by_variant"] == {"variant_a": 739, "variant_b": 709}
    # Exact: read as Decimals, the contributions add up to the score to the last digit.
    exact = json.loads(raw, parse_float=Decimal)["result"]
    assert sum(Decimal(c["value"]) for c in exact["contributions"]) == exact["score"]
    rongcheng = json.loads(_score("rongcheng", RONGCHENG, "--json"))["result"]["contributions"]
    arrears = next(c for c in rongcheng if c["id"] == "bank_arrears_month")
    assert (arrears["value"], arrears["count"], arrears["per_unit"]) == (-30, 3, -10)
    assert all(isinstance(arrears[k], int) for k in ("value", "count", "per_unit"))


def test_exact_json_keeps_every_digit_and_cannot_be_spoofed() -> None:
    from watchdog.commands.model_commands import exact_json

    digits = Decimal("0.30000000000000000001")   # a float would write 0.3
    text = exact_json({"x": digits, "y": Decimal("-12.5000"), "z": Decimal("2E+1"), "w": Decimal("-0"),
                       "label": "1234abcd:0.5"})
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed == {"x": digits, "y": Decimal("-12.5000"), "z": 20, "w": 0, "label": "1234abcd:0.5"}
    assert '"z": 20,' in text and '"w": 0,' in text


@pytest.mark.parametrize(("hours", "line"), [
    (11, "         -30  Hours of video gaming a day: 11 hours a day (10 hours a day or more: -30)"),
    (9.5, "           0  Hours of video gaming a day: 9.5 hours a day (10 hours a day or more: -30)"),
])
def test_a_threshold_rule_is_shown_as_a_threshold(hours: float, line: str) -> None:
    out = _score("sesame_2015_described", {"signals": {"video_gaming_hours": hours}})
    assert any(got.startswith(f"{line} [seed_silicon_valley_china_style, secondary]") for got in out.splitlines()), out
    assert " -0 " not in out and "x -30" not in out and "× -30" not in out
    data = json.loads(_score("sesame_2015_described", {"signals": {"video_gaming_hours": hours}}, "--json"))
    row = next(c for c in data["result"]["contributions"] if c["id"] == "video_gaming_hours")
    assert (row["at_least"], row["once"], row["per_unit"], row["count"]) == (10, -30, None, hours)


def test_a_ledger_without_a_floor_says_so_and_prints_ranges_readably() -> None:
    out = _score("rongcheng", {"events": [{"code": "damaging_public_utility_equipment", "count": 20}]})
    assert "score: -1000" in out and "-1000--1000" not in out and "range:" not in out
    assert "  - No floor or ceiling is documented: grade D is 599 points and below" in out
    assert "the ledger's arithmetic" in out
    spread = _score("rongcheng", {"events": [{"code": "heroic_act", "count": 2}, {"code": "other_commercial"}]})
    assert "range: 1010–1055 (low 1010, high 1055); band A to AAA over the range" in spread
    sunk = _score("rongcheng", {"events": [{"code": "damaging_public_utility_equipment", "count": 20},
                                           {"code": "other_commercial"}]})
    # 1000 - 2000 - 5 (or - 50 at the most severe): negative ends read as "to", not "--".
    assert "score: -1005" in sunk and "range: -1050 to -1005 (low -1050, high -1005)" in sunk


def test_who_is_affecting_your_score_agrees_with_the_way_up() -> None:
    person = {"signals": {"sensitive_posts": 2},
              "contacts": [{"id": "a", "score": 800}, {"id": "b", "score": 400}, {"id": "c", "score": 620}]}
    lines = _score("sesame_2015_described", person).splitlines()
    start = lines.index("who is affecting your score (your score with each contact minus without them, "
                        "the others kept):")
    assert lines[start + 1:start + 4] == ["         -31  contact b (score 400)",
                                          "          +2  contact c (score 620)",
                                          "         +29  contact a (score 800)"]
    # The contributions carry the whole effect in one row: 0.3 x (606.67 - 530) = 23.
    assert any(line.startswith("         +23  Your contacts' scores (3 contacts, mean 606.67)") for line in lines)
    assert not any(line.strip().startswith("+9") for line in lines)
    drops = [line for line in lines if line.startswith("    Drop contact")]
    assert drops[0].startswith("    Drop contact b: drop (b (400) is below the mean of your contacts (606.67)")
    assert drops[1].startswith("    Drop contact c: drop (c (620) is below the mean of your contacts once b is "
                               "dropped (710)")


def test_repeated_contact_ids_are_a_one_line_error() -> None:
    person = {"contacts": [{"id": "a", "score": 800}, {"id": "a", "score": 400}]}
    result = CliRunner().invoke(score_command, ["sesame_2015_described", "--input", "-"], input=json.dumps(person))
    assert (result.exit_code, result.output) == (
        1, "error: input: contacts[1].id: 'a' is already the id of contacts[0]; give each contact once, "
           "with its own id\n")


def test_a_negative_seed_is_named_like_the_other_options() -> None:
    result = CliRunner().invoke(simulate_command, ["zhima", "--people", "100", "--seed", "-1"])
    assert (result.exit_code, result.output) == (1, "error: seed must be a whole number, 0 or more, got -1\n")


def test_simulate_says_it_scores_zhima_with_weight_set_a_only() -> None:
    out = CliRunner().invoke(simulate_command, ["zhima", "--people", "500", "--degree", "3"]).output
    notes = out[out.index("notes:"):]
    assert "  - scored with Reported set A: behaviour 25%, fulfilment 20% only; not simulated: " \
           "Reported set B: behaviour 20%, fulfilment 25%" in notes
