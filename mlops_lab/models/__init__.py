"""The model registry: models, versions, aliases with an audited history, safe model files."""
