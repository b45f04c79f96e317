"""Imports a pipeline run's own processes (`mlops-lab run` and the worker) do without.

Importing nbformat (and so papermill) imports jsonschema, which imports `rfc3987_syntax` when
it is installed, and that compiles 38 grammars at import: 1-7 s of every process start, for
IRI format checks nbformat never asks for. Blocking it makes jsonschema skip those checks only.
Not used in long-lived processes that may validate such formats (the Jupyter server)."""

from __future__ import annotations

import sys


def skip_unused_imports() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" fails
