"""A pipeline run's life has one owner: only pipelines/runs/lifecycle.py writes `pipeline_runs`.
Every other module asks it (the service, the executor, the worker, the scheduler)."""

from __future__ import annotations

import re
from pathlib import Path

import mlops_lab

PACKAGE = Path(mlops_lab.__file__).parent
OWNER = PACKAGE / "pipelines" / "runs" / "lifecycle.py"
# `from ...tables.pipelines import pipeline_runs as pr` / `from ...tables import pipelines as p`
TABLE_IMPORT = re.compile(r"import\s+pipeline_runs(?:\s+as\s+(\w+))?")
MODULE_IMPORT = re.compile(r"from\s+[\w.]*tables\s+import\s+pipelines(?:\s+as\s+(\w+))?")
RAW_SQL = re.compile(r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+pipeline_runs\b", re.I)


def writes_pipeline_runs(source: str) -> list[str]:
    """The writes of `pipeline_runs` in a module's source: SQLAlchemy insert/update/delete of
    the table under whatever name it was imported as, or raw SQL."""
    names = [m.group(1) or "pipeline_runs" for m in TABLE_IMPORT.finditer(source)]
    names += [f"{m.group(1) or 'pipelines'}.pipeline_runs" for m in MODULE_IMPORT.finditer(source)]
    found = [m.group(0) for m in RAW_SQL.finditer(source)]
    for name in names:
        found += [m.group(0) for m in re.finditer(
            rf"\b(insert|update|delete)\(\s*{re.escape(name)}\b", source)]
    return found


def test_the_scan_sees_writes():
    assert writes_pipeline_runs(OWNER.read_text())  # the owner's own writes are seen
    assert writes_pipeline_runs(
        "from ..store.tables.pipelines import pipeline_runs as pr\nupdate(pr).values(x=1)")
    assert writes_pipeline_runs("from ..store.tables import pipelines as p\ninsert(p.pipeline_runs)")
    assert writes_pipeline_runs('conn.execute(text("UPDATE pipeline_runs SET pid = 1"))')
    assert not writes_pipeline_runs(
        "from ..store.tables.pipelines import pipeline_runs as pr\nselect(pr).where(pr.c.id == 1)")


def test_only_the_lifecycle_writes_pipeline_runs():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        if path == OWNER or "migrations" in path.parts:
            continue
        found = writes_pipeline_runs(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(PACKAGE))] = found
    assert offenders == {}, ("pipeline_runs is written outside pipelines/runs/lifecycle.py; "
                             f"move the write there: {offenders}")
