"""Each part's tables, on the one `metadata` of `mlops_lab.store.schema` (which imports these
modules, so every table is known wherever the schema is)."""
