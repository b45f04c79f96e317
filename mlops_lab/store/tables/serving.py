"""Tables of serving (none yet). Created by migration in store/migrations/versions/."""

from __future__ import annotations

from ..schema import metadata  # noqa: F401  (tables are defined on the shared metadata)
