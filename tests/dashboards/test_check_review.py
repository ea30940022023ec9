"""The self-check after review: a perk one weight set grants and the other does not is shown as
depending on the weight set, and a debt performed before the listing was published is a ground to
contest it, on the page and in the letter."""

from __future__ import annotations

import re

from dashboards.views.check_forms import STANDINGS
from dashboards.views.check_results import scoring_card
from tests.dashboards.test_check import check_app, check_client, post  # noqa: F401 (fixtures)
from watchdog.model.loader import load_regime

ANSWERS = {"credit_history": "good", "behaviour_preference": "excellent", "fulfilment_capacity": "very_poor",
           "identity_traits": "excellent", "connections": "excellent"}


def test_the_card_data_says_which_perks_depend_on_the_weight_set(check_app):  # noqa: F811
    regime = load_regime("zhima")
    person = {"dimensions": {k: STANDINGS[v][1] for k, v in ANSWERS.items()}}
    with check_app.test_request_context():
        data = scoring_card(regime, person)
    assert (data["score"], data["range"]["low"], data["range"]["high"]) == (778, 748, 778)
    perks = {g["label"].split(":")[0]: g for g in data["perks"]}
    canada = perks["Canada visitor visa"]
    assert (canada["applies"], canada["depends_on"]) == (None, "the weight set")
    assert canada["reason"].startswith("depends on the weight set: it needs 750 or more")
    assert perks["Singapore visa through Alitrip without asset proofs"]["applies"] is True


def test_the_page_does_not_promise_a_perk_only_one_weight_set_grants(check_client):  # noqa: F811
    status, html = post(check_client, **{f"zhima__{k}": v for k, v in ANSWERS.items()})
    assert status == 200
    start = html.index('id="result-zhima"')
    card = html[start:html.index("</article>", start)]
    assert "You get:</strong> Canada visitor visa" not in card
    assert "You get:</strong> Luxembourg" not in card
    assert "depends on the weight set: it needs 750 or more, and the score is 778 with variant_a" in card
    assert "Depends on the weight set:</strong> Canada visitor visa" in card
    assert 'class="gate gate-depends"' in card


def _court(client, **fields: str) -> tuple[str, str]:
    base = {"court__include": "on", "court__published": "2019-03-07", "court__performance": "full",
            "court__performed_on": "2018-01-01"}
    status, html = post(client, **(base | fields))
    assert status == 200
    court = html[html.index('id="result-court"'):]
    return court, court[court.index("<textarea"):court.index("</textarea>")]


def test_performance_before_publication_is_a_ground_on_the_page_and_in_the_letter(check_client):  # noqa: F811
    # Asset reporting: a listing with a term, where performance alone does not oblige deletion.
    court, letter = _court(check_client, court__circumstance="c4_violate_asset_reporting")
    contest = court[court.index('id="routes-contest"'):court.index("</ul>", court.index('id="routes-contest"'))]
    assert "The party should not have been listed: the obligations were performed in full on 2018-01-01, " \
           "before the entry was published on 2019-03-07" in contest
    assert "have not performed" in contest   # the note saying why
    ends = court[court.index('id="routes-ends"'):court.index("</ul>", court.index('id="routes-ends"'))]
    assert "before the entry was published" in ends   # not only "the court may delete it early"
    first = letter[letter.index("1. "):letter.index("2. ")]
    assert "The party should not have been listed" in first and "不应将其纳入失信被执行人名单" in first
    assert "Basis: 2017 Provisions Art. 1 and Art. 11." in first
    # The longest term ended on Thu 7 Mar 2024: the entry had to go 3 working days later, not that day.
    assert "had to be deleted by 2024-03-07" not in letter
    assert "had to be deleted by 2024-03-12" in letter


def test_a_listing_without_term_uses_the_removal_deadline_after_performance(check_client):  # noqa: F811
    court, letter = _court(check_client)   # ability but refusal: deleted on performance
    first = letter[letter.index("1. "):letter.index("2. ")]
    assert "The party should not have been listed" in first
    assert "The entry had to be deleted by 2018-01-04." in first



# The reviewer's case through the form: credit history good, behaviour excellent, fulfilment very
# poor, identity fair, connections poor. Set A: 350 + 600 x (.2625 + .25 + 0 + .075 + .0125) =
# 710 (excellent); set B: 350 + 600 x (.2625 + .2 + 0 + .075 + .0125) = 680 (very good).
SPLIT = {"credit_history": "good", "behaviour_preference": "excellent", "fulfilment_capacity": "very_poor",
         "identity_traits": "fair", "connections": "poor"}


def _card(html: str, regime: str) -> str:
    start = html.index(f'id="result-{regime}"')
    return html[start:html.index("</article>", start)]


def test_where_weight_sets_disagree_the_card_leads_with_the_range(check_client):  # noqa: F811
    status, html = post(check_client, **{f"zhima__{k}": v for k, v in SPLIT.items()})
    assert status == 200
    card = _card(html, "zhima")
    headline = card[card.index('class="headline"'):card.index("</p>", card.index('class="headline"'))]
    assert '<span class="big score">680–710</span>' in headline
    assert '<span class="band">Very good to Excellent</span>' in headline
    assert "710 Excellent" not in headline and ">710<" not in headline
    # Each weight set's score is named as such, and the table says whose score it adds up to.
    assert "<li>Reported set A: behaviour 25%, fulfilment 20%: <strong>710</strong> (Excellent)</li>" in card
    assert "<li>Reported set B: behaviour 20%, fulfilment 25%: <strong>680</strong> (Very good)</li>" in card
    assert "Rule by rule under Reported set A: behaviour 25%, fulfilment 20% (they add up to 710, its score)" in card
    assert 'data-shown-for="variant_a"' in card and 'data-low="680" data-high="710"' in card
    # The way up agrees with the band range: excellent under both sets, 701 under the harsher.
    move = card[card.index('id="move-zhima"'):]
    assert "To reach <strong>Excellent</strong> under every reported weight set (701 points under the " \
           "harshest, 731 under Reported set A" in move
    assert "(731 points), the fewest" not in move
    summary = html[html.index('id="results-summary"'):]
    row = summary[summary.index('href="#result-zhima"'):].split("</tr>")[0]
    assert '<td class="num">680–710</td><td>Very good to Excellent</td>' in row


def test_a_threshold_is_shown_as_one_never_count_times_points(check_client):  # noqa: F811
    status, html = post(check_client, sesame_2015_described__video_gaming_hours="11")
    assert status == 200
    card = _card(html, "sesame_2015_described")
    assert "11 hours a day; 10 hours a day or more: -30" in card and "11 × -30" not in card
    status, html = post(check_client, sesame_2015_described__video_gaming_hours="9")
    card = _card(html, "sesame_2015_described")
    table = card[card.index('class="data contributions"'):]
    row = table[table.index("Hours of video gaming a day"):]
    row = row[:row.index("</tr>")]
    assert "9 hours a day, below the threshold; 10 hours a day or more: -30" in row
    assert '<td class="num">0</td>' in row and "-0<" not in row and "+0<" not in row


def test_repeated_contact_ids_are_a_form_error(check_client, monkeypatch):  # noqa: F811
    from dashboards.views import check_forms

    real = check_forms.inputs

    def twice(values, form_sections):
        got = real(values, form_sections)
        person = got.people["sesame_2015_described"]
        person["contacts"] = [{"id": "2", "score": 700}, {"id": "2", "score": 600}]
        return got

    monkeypatch.setattr(check_forms, "inputs", twice)
    status, html = post(check_client, contact__1="700")
    assert status == 400
    message = re.search(r'class="error-message">(.*?)</p>', html, re.S)
    assert message and message.group(1).strip() == "Contact 2 is given twice: give each contact once."
