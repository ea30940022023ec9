"""company matches

Revision ID: 0003_company_matches
Revises: 0002_admin
Create Date: 2026-11-21 23:00:00

The audit trail of the company matcher (`watchdog/store/company_tables.py`): one row per pair of
company subjects joined, with method, score and reason; a pair has at most one row that is not
retracted (a partial unique index, which SQLite and PostgreSQL both support).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003_company_matches'
down_revision: str | None = '0002_admin'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'companymatch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_a', sa.Integer(), nullable=False),
        sa.Column('subject_b', sa.Integer(), nullable=False),
        sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('matched_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('matcher_version', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('retracted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['subject_a'], ['subject.id'], ),
        sa.ForeignKeyConstraint(['subject_b'], ['subject.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('companymatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_companymatch_subject_a'), ['subject_a'], unique=False)
        batch_op.create_index(batch_op.f('ix_companymatch_subject_b'), ['subject_b'], unique=False)
        batch_op.create_index(
            'uq_companymatch_active_pair', ['subject_a', 'subject_b'], unique=True,
            sqlite_where=sa.text('retracted_at IS NULL'),
            postgresql_where=sa.text('retracted_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('companymatch', schema=None) as batch_op:
        batch_op.drop_index('uq_companymatch_active_pair')
        batch_op.drop_index(batch_op.f('ix_companymatch_subject_b'))
        batch_op.drop_index(batch_op.f('ix_companymatch_subject_a'))
    op.drop_table('companymatch')
