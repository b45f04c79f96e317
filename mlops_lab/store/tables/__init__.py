"""Each part's tables, on the one `metadata` of `base` (`mlops_lab.store.schema` imports them
all, so every table is known wherever the schema is)."""
