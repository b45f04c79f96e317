"""Every table of the store, on one `metadata`. Alembic migrations in `migrations/versions/`
create and change them; this module is the code's view of the newest schema (a test checks the
two agree). Each part's tables live in `tables/`; importing this module registers them all."""

from .tables import (dags, datasets, evaluation, features, models, monitoring,  # noqa: F401
                     pipelines, retraining, serving, tracking)
from .tables.base import metadata

__all__ = ["metadata"]
