"""The self-check after review: a perk one weight set grants and the other does not is shown as
depending on the weight set, and a debt performed before the listing was published is a ground to
contest it, on the page and in the letter."""

from __future__ import annotations

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

