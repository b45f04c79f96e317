"""DAGs of notebooks: the pipeline file (file), its execution (executor) and its runs (service)."""
