"""Indexes that let every list page by cursor: each list's order key with the row id as the
tie-break, so that a page starts in the index right after the previous page's last row (the
cost of a page no longer grows with the table).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# (table, old index, its columns, new index, its columns)
CHANGES = [
    ("runs", "ix_runs_start", ["start_time"], "ix_runs_start_id", ["start_time", "id"]),
    ("runs", "ix_runs_experiment_start", ["experiment_id", "start_time"],
     "ix_runs_experiment_start_id", ["experiment_id", "start_time", "id"]),
    ("pipeline_runs", "ix_pipeline_runs_created", ["created_at"],
     "ix_pipeline_runs_created_id", ["created_at", "id"]),
    ("pipeline_runs", "ix_pipeline_runs_schedule_created", ["schedule_id", "created_at"],
     "ix_pipeline_runs_schedule_created_id", ["schedule_id", "created_at", "id"]),
    ("dag_runs", "ix_dag_runs_created", ["created_at"], "ix_dag_runs_created_id",
     ["created_at", "id"]),
    ("model_alias_history", "ix_model_alias_history_model_id_moved_at", ["model_id", "moved_at"],
     "ix_model_alias_history_model_id_moved_at_id", ["model_id", "moved_at", "id"]),
]
# Lists that had no index for their order at all.
NEW = [
    ("models", "ix_models_updated_name", ["updated_at", "name"]),
    ("datasets", "ix_datasets_updated_id", ["updated_at", "id"]),
]


def upgrade() -> None:
    for table, old, _, new, columns in CHANGES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(old)
            batch.create_index(new, columns)
    for table, name, columns in NEW:
        with op.batch_alter_table(table) as batch:
            batch.create_index(name, columns)


def downgrade() -> None:
    for table, name, _ in NEW:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(name)
    for table, old, old_columns, new, _ in CHANGES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(new)
            batch.create_index(old, old_columns)
