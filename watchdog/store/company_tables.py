"""The audit trail of company matching (table `companymatch`).

One row per pair of company subjects that the matcher joined, with how (`method`), how strongly
(`score`, 0-1) and why (`reason`, plain words naming the codes or company names compared). Rows
are never deleted: a match that no longer holds, or that a better reading replaced, gets a
`retracted_at`, and a pair has at most one row without one. `subject_a` is the smaller id.
Persons never appear here: the matcher reads company subjects only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel


class CompanyMatch(SQLModel, table=True):
    __table_args__ = (
        Index("uq_companymatch_active_pair", "subject_a", "subject_b", unique=True,
              sqlite_where=text("retracted_at IS NULL"),
              postgresql_where=text("retracted_at IS NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    subject_a: int = Field(foreign_key="subject.id", index=True)
    subject_b: int = Field(foreign_key="subject.id", index=True)
    # uscc | reg_no | org_code | masked_uscc+name | name_exact | chinese_name_from_foreign_list
    # | name_fuzzy | name_branch
    method: str = Field(max_length=40)
    score: float
    reason: str = Field(sa_column=Column(Text, nullable=False))
    matched_at: datetime
    matcher_version: str = Field(max_length=16)
    retracted_at: datetime | None = None
