"""crawl list_published

Revision ID: 0005_crawl_list_published
Revises: 0004_staged_changes
Create Date: 2026-11-23 12:00:00

The date a list states it was published (SDN.XML's Publish_Date), per crawl or import: which
version of the list was read. Nullable: most formats state none, and crawls recorded before this
migration did not keep it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_crawl_list_published'
down_revision: str | None = '0004_staged_changes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('crawl', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_published', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('crawl', schema=None) as batch_op:
        batch_op.drop_column('list_published')
