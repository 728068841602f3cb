"""which team-thread messages the customer never saw (notes and commands)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("processed_inbound", sa.Column("team_only", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_inbound") as batch:
        batch.drop_column("team_only")
