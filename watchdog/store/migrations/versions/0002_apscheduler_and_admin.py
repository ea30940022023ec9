"""admin action log

Revision ID: 0002_admin
Revises: 0001
Create Date: 2026-11-21 22:00:00

The scheduler's own table (`apscheduler_jobs`) is created by APScheduler's SQLAlchemyJobStore
when the scheduler first starts; it holds pickled jobs and is not part of the SQLModel metadata.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002_admin'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'adminaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('adminaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adminaction_at'), ['at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('adminaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adminaction_at'))
    op.drop_table('adminaction')
