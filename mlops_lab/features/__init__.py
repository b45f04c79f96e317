"""The feature store: feature sets defined as Python functions, versioned with their source,
materialised to an offline store (Parquet blobs) and an online store (SQLite or Redis), read back
as point-in-time-correct training sets or latest values."""
