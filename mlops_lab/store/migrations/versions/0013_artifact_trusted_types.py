"""The types a model file was saved with, kept on its artifact row: the list the code that
saved the file reviewed, which registering the file later trusts (never one read from it).

Versions registered earlier from a run's file took their trusted types from the file itself,
so a file could name a type that runs code when loaded and have it trusted. Those lists (of
versions with an artifact and any extra type) were never reviewed: they are emptied, so such
a version is refused on load, naming its types, until it is registered again with the types
accepted by name. The emptied lists are not restored by a downgrade.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.add_column(sa.Column("trusted_types", sa.Text, nullable=True))
    op.execute("UPDATE model_versions SET trusted_types = '[]' "
               "WHERE artifact IS NOT NULL AND format = 'skops' AND trusted_types <> '[]'")


def downgrade() -> None:
    with op.batch_alter_table("artifacts") as batch:
        batch.drop_column("trusted_types")
