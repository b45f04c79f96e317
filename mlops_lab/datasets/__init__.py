"""Data versioning: snapshots (immutable, content-hashed dataset versions), their profiles,
validation rules, diffs and lineage. Public functions in `api`; rules in `service`."""
