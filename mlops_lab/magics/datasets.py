"""IPython magics for datasets (none yet)."""

from __future__ import annotations

# Magics classes registered by `%load_ext mlops_lab`.
MAGICS: tuple = ()
