"""The store's tables.

Observations are history, not overwrites: a listing keeps its first and last sighting, every
change is a row in `observationchange`, and a removal is a status set by a complete crawl, never
a deleted row. Persons appear only as a keyed hash with coarse attributes (see `privacy`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Source(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    title: str
    publisher: str
    official: bool = True
    manifest_sha256: str = Field(max_length=64)
    manifest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Crawl(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", index=True, max_length=64)
    mode: str = Field(default="crawl", max_length=16)  # crawl | import
    started_at: datetime
    finished_at: datetime | None = None
    # running | complete | partial | blocked | failed
    status: str = Field(default="running", max_length=16, index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    origin: str | None = Field(default=None, sa_column=Column(Text))  # start URL or file name
    read: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    requests: int = 0
    unknown_fields: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    field_fill: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The date the list itself says it was published (SDN.XML's Publish_Date), when it says.
    list_published: date | None = None


class Artifact(SQLModel, table=True):
    # Content address: SHA-256 of the bytes we keep (redacted when the response named persons).
    sha256: str = Field(primary_key=True, max_length=64)
    original_sha256: str = Field(index=True, max_length=64)
    redacted: bool = False
    url: str = Field(sa_column=Column(Text, nullable=False))
    fetched_at: datetime
    http_status: int
    content_type: str | None = Field(default=None, max_length=128)
    size: int
    stored_size: int
    path: str = Field(max_length=256)
    crawl_id: int | None = Field(default=None, foreign_key="crawl.id", index=True)


class Subject(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=128)
    kind: str = Field(max_length=16, index=True)  # person | company
    name: str | None = Field(default=None, sa_column=Column(Text))  # companies only
    code: str | None = Field(default=None, max_length=32, index=True)  # companies only
    province: str | None = Field(default=None, max_length=32)
    birth_year: int | None = None
    sex: str | None = Field(default=None, max_length=1)
    age_band: str | None = Field(default=None, max_length=8)


class Observation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("source_id", "record_key", name="uq_observation_source_record"),
        Index("ix_observation_source_status", "source_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    source_id: str = Field(foreign_key="source.id", max_length=64)
    record_key: str = Field(max_length=256)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    status: str = Field(default="listed", max_length=16)  # listed | removed
    source_record_id: str | None = Field(default=None, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_sha256: str = Field(max_length=64)
    # Facets kept as columns so dashboards can group without decoding payloads.
    party_type: str | None = Field(default=None, max_length=16)
    province: str | None = Field(default=None, max_length=32, index=True)
    court: str | None = Field(default=None, max_length=128)
    circumstances: str | None = Field(default=None, max_length=64)  # e.g. "c1,c4" or "none"
    performance: str | None = Field(default=None, max_length=32)
    publish_month: str | None = Field(default=None, max_length=7)  # YYYY-MM
    first_seen: datetime
    last_seen: datetime
    first_crawl_id: int = Field(foreign_key="crawl.id")
    last_crawl_id: int = Field(foreign_key="crawl.id", index=True)
    artifact_sha256: str | None = Field(default=None, foreign_key="artifact.sha256", max_length=64)
    removed_at: datetime | None = None
    removed_crawl_id: int | None = Field(default=None, foreign_key="crawl.id")


class ObservationChange(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    observation_id: int = Field(foreign_key="observation.id", index=True)
    crawl_id: int = Field(foreign_key="crawl.id", index=True)
    at: datetime
    kind: str = Field(max_length=16)  # added | changed | removed | relisted
    old_sha256: str | None = Field(default=None, max_length=64)
    new_sha256: str | None = Field(default=None, max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StagedChange(SQLModel, table=True):
    """A change to a stored listing, seen by a crawl that has not finished yet. Only a crawl that
    ends complete may change what a complete crawl established, and a crawl's status is known
    only at its end: its changes wait here and are applied then, or dropped (and counted)."""

    __table_args__ = (UniqueConstraint("crawl_id", "observation_id",
                                       name="uq_stagedchange_crawl_observation"),)
    id: int | None = Field(default=None, primary_key=True)
    crawl_id: int = Field(foreign_key="crawl.id")
    observation_id: int = Field(foreign_key="observation.id")
    at: datetime
    kind: str = Field(max_length=16)  # changed | relisted
    old_sha256: str | None = Field(default=None, max_length=64)
    new_sha256: str = Field(max_length=64)
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The observation's new column values (payload, facets, subject, artifact), by column name.
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RegimeVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("regime_id", "content_sha256", name="uq_regime_content"),)
    id: int | None = Field(default=None, primary_key=True)
    regime_id: str = Field(max_length=64, index=True)
    version: str = Field(max_length=32)
    content_sha256: str = Field(max_length=64)
    loaded_at: datetime
    document: str = Field(sa_column=Column(Text, nullable=False))


class AuditRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=16)
    checked: int = 0
    findings: int = 0
    as_of: datetime


class Finding(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    audit_run_id: int = Field(foreign_key="auditrun.id", index=True)
    check_id: str = Field(max_length=64, index=True)
    severity: str = Field(max_length=16)
    observation_id: int = Field(foreign_key="observation.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
    regime_version_id: int = Field(foreign_key="regimeversion.id")
    artifact_sha256: str | None = Field(default=None, foreign_key="artifact.sha256", max_length=64)
    rule: str = Field(max_length=128)
    citation: str = Field(max_length=128)
    evidence: str = Field(max_length=16)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    province: str | None = Field(default=None, max_length=32)
    court: str | None = Field(default=None, max_length=128)


class JobRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=128, index=True)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(default="running", max_length=16)
    detail: str | None = Field(default=None, sa_column=Column(Text))
