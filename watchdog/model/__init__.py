"""The reference model: each scoring or listing regime as declared data, and pure code to read it.

- `schema`: pydantic models of a regime file (`data/regimes/*.yaml`) and of `data/citations.yaml`;
  every rule carries a citation id and an evidence grade.
- `loader`: `load_regime`, `load_citations` and `RegimeError` (one line: file, path, reason).
- `listing`: `verdict` on one published listing of a list regime, and `circumstance_of`.
- `facts`: `ListingFacts`, the privacy-safe record a verdict reads.
- `phrases`: normalising published circumstance phrases; `workdays`: working-day deadlines.
- `listing_exit`: how a court listing ends and the grounds to contest it.
- `score` (with `gates`, perks and restrictions over the score's range), `counterfactual` (with
  `described_search`), `population` and `network`: the scoring regimes.

Nothing here imports the store, the parsers, the scrapers or the dashboards, and nothing does
I/O beyond reading YAML.
"""

from watchdog.model.facts import ListingFacts
from watchdog.model.listing import CitationRef, Verdict, circumstance_of, verdict
from watchdog.model.loader import RegimeError, load_citations, load_regime
from watchdog.model.schema import Citation, Evidence, ListRegime

__all__ = [
    "Citation",
    "CitationRef",
    "Evidence",
    "ListRegime",
    "ListingFacts",
    "RegimeError",
    "Verdict",
    "circumstance_of",
    "load_citations",
    "load_regime",
    "verdict",
]
