"""What the model needs to know about one court-list entry, and nothing that names a person.

`ListingFacts` is the contract between the parsers (which build it from a published record),
the store (which keeps it as an observation's payload) and the model (whose `verdict` reads it).
It deliberately has no field for a natural person's name or ID number: those are reduced to a
keyed hash and coarse attributes before anything is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PartyType = Literal["person", "company"]
IdMask = Literal["masked", "unmasked", "malformed", "missing"]

# Statutory field ids (2013 Art. 4 / 2017 Art. 6). The regime lists which are required for
# which party type; the parser says which were published non-empty.
STATUTORY_FIELDS = (
    "name", "sex", "age", "id_number", "org_code", "legal_rep",
    "obligation", "performance", "conduct", "basis_issuer", "basis_doc_no",
    "case_no", "filing_date", "court",
)


class ListingFacts(BaseModel):
    """One published listing on the list of dishonest judgment debtors, privacy-safe."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    party_type: PartyType
    case_code: str | None = None          # normalised: half-width brackets, no spaces
    circumstances: list[str] = Field(default_factory=list)  # phrases as published, split on commas
    publish_date: date | None = None
    reg_date: date | None = None          # 立案时间 (filing date)
    age: int | None = None                # as published; None for companies or when absent
    birth_year: int | None = None         # read from the (masked) ID number
    sex: Literal["M", "F"] | None = None
    province: str | None = None
    court: str | None = None
    gist_id: str | None = None
    gist_unit: str | None = None
    duty: str | None = None               # names of natural persons already redacted
    performance: str | None = None        # e.g. 全部未履行, 部分未履行, 全部履行
    performed_part: str | None = None
    unperformed_part: str | None = None
    performed_date: date | None = None    # when the record itself states full performance on a date
    id_mask: IdMask = "missing"           # how the published ID compares with the masking rule
    fields_present: list[str] = Field(default_factory=list)  # ids from STATUTORY_FIELDS
    name_key: str | None = None           # persons: HMAC of the name alone (to spot legal reps)
    legal_rep_key: str | None = None      # companies: HMAC of the legal representative's name
