"""REST routes for serving (none yet)."""

from __future__ import annotations

# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/<part>.yaml.
ROUTES: list[tuple[str, type]] = []
