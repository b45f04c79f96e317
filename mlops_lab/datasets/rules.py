"""A dataset's validation rules: what every new snapshot of it is checked against."""

from __future__ import annotations

from sqlalchemy import update

from ..clock import now_ms
from ..errors import NotFound
from ..naming import clean_name
from ..store.tables.datasets import datasets as d_table
from . import validation


class Rules:
    """The validation-rule methods of DatasetService."""

    def set_rules(self, name: str, rules: dict) -> dict:
        """Replaces the dataset's validation rules (the dataset is created if new)."""
        name = clean_name(name, "dataset name")
        cleaned = validation.clean_rules(rules)

        def write(conn):
            dataset_id = self._ensure_dataset(conn, name)
            conn.execute(update(d_table).where(d_table.c.id == dataset_id).values(
                rules=validation.dumps(cleaned), updated_at=now_ms()))
        self._retrying(write)
        return cleaned

    def add_rule(self, name: str, column: str | None = None, on_fail: str | None = None,
                 **rule) -> dict:
        """Adds to the dataset's rules: a column's rules (merged with those it has) or, with no
        column, the table's (min_rows, max_rows, columns, exact)."""
        name = clean_name(name, "dataset name")
        current = self.rules(name) or validation.empty_rules()
        if column is None:
            current["table"] = {**current.get("table", {}), **rule}
        else:
            column = clean_name(column, "column name")
            columns = current.setdefault("columns", {})
            columns[column] = {**columns.get(column, {}), **rule}
        if on_fail is not None:
            current["on_fail"] = on_fail
        return self.set_rules(name, current)

    def rules(self, name_or_id) -> dict | None:
        try:
            return self.get_dataset(name_or_id).rules
        except NotFound:
            return None
