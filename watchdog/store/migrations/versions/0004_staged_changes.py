"""staged changes

Revision ID: 0004_staged_changes
Revises: 0003_company_matches
Create Date: 2026-11-22 12:00:00

Changes to stored listings seen by a crawl wait in `stagedchange` until the crawl ends: applied
when it ends complete, dropped otherwise (`watchdog/store/staging.py`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004_staged_changes'
down_revision: str | None = '0003_company_matches'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stagedchange',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('crawl_id', sa.Integer(), nullable=False),
        sa.Column('observation_id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('old_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('new_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['crawl_id'], ['crawl.id'], ),
        sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('crawl_id', 'observation_id',
                            name='uq_stagedchange_crawl_observation'),
    )


def downgrade() -> None:
    op.drop_table('stagedchange')
