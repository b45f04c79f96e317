"""REST routes of datasets: datasets (searchable), their versions, one snapshot in full
(schema, profile, validation), the runs that read or made it, the diff of two snapshots, and
a dataset's validation rules. Read-only: snapshots are taken where the data is (Python, the
CLI), never from a path a client names."""

from __future__ import annotations

import re

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .base import MlopsLabHandler, OldPath

DATASET_ID = r"(?P<dataset_id>[0-9]{1,12})"
SNAPSHOT_ID = r"(?P<snapshot_id>[0-9a-f]{32})"
_SNAPSHOT_ID_TEXT = re.compile(r"^[0-9a-f]{32}$")


class DatasetsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        q = self.search_text()
        page = await self.keyset_page(lambda after, n: self.services.datasets.list_datasets(q, n, after),
                                      lambda d: (d.updated_at, d.id), (int, int))
        self.reply(page.to_json("datasets"))


def _dataset_with_snapshots(svc, dataset_id: int) -> dict:
    dataset = svc.get_dataset(dataset_id)
    snapshots = [v.to_json(full=False) for v in svc.list_versions(dataset.id)]
    # `versions` is the old name of `snapshots`, answered too for one release.
    return {**dataset.to_json(), "rules": dataset.rules, "snapshots": snapshots,
            "versions": snapshots}


class DatasetHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, dataset_id: str):
        self.reply(await self.call(_dataset_with_snapshots, self.services.datasets, int(dataset_id)))


class SnapshotsHandler(MlopsLabHandler):
    """A dataset's snapshots, newest first."""

    items = "snapshots"  # what the answer calls them

    @tornado.web.authenticated
    @authorized
    async def get(self, dataset_id: str):
        datasets = self.services.datasets
        page = await self.keyset_page(
            lambda after, n: datasets.list_versions(int(dataset_id), n, after and after[0]),
            lambda v: (v.version,), (int,))
        self.reply(page.to_json(self.items, lambda v: v.to_json(full=False)))


class OldVersionsHandler(OldPath, SnapshotsHandler):
    """`datasets/{id}/versions`, the old path of `datasets/{id}/snapshots`, answering as before."""

    items = "versions"
    successor = "datasets/{id}/snapshots"

    @tornado.web.authenticated
    @authorized
    async def get(self, dataset_id: str):
        await super().get(dataset_id)


def _rules(svc, dataset_id: int) -> dict:
    dataset = svc.get_dataset(dataset_id)
    return {"dataset_id": dataset.id, "name": dataset.name, "rules": dataset.rules}


class ValidationRulesHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, dataset_id: str):
        self.reply(await self.call(_rules, self.services.datasets, int(dataset_id)))


class SnapshotHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, snapshot_id: str):
        version = await self.call(self.services.datasets.get_snapshot, snapshot_id)
        self.reply(version.to_json())


class LineageHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, snapshot_id: str):
        self.reply(await self.call(self.services.datasets.lineage, snapshot_id))


def _snapshot_id(text: str, which: str) -> str:
    text = text.strip()
    if not _SNAPSHOT_ID_TEXT.match(text):
        raise InvalidInput(f"Parameter {which} must be a snapshot id (32 hex digits).")
    return text


def _diff(svc, a: str, b: str, key: list[str]):
    return svc.diff(svc.get_snapshot(a), svc.get_snapshot(b), key=key or None)


class DiffHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        a = _snapshot_id(self.get_argument("a", ""), "a")
        b = _snapshot_id(self.get_argument("b", ""), "b")
        key = [k for k in self.get_arguments("key") if k.strip()]
        result = await self.call(_diff, self.services.datasets, a, b, key)
        self.reply(result.to_json())


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/datasets.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"datasets", DatasetsHandler),
    (rf"datasets/{DATASET_ID}", DatasetHandler),
    (rf"datasets/{DATASET_ID}/snapshots", SnapshotsHandler),
    # The old path of a dataset's snapshots, for one release (Deprecation header).
    (rf"datasets/{DATASET_ID}/versions", OldVersionsHandler),
    (rf"datasets/{DATASET_ID}/validation", ValidationRulesHandler),
    (r"snapshots/diff", DiffHandler),
    (rf"snapshots/{SNAPSHOT_ID}", SnapshotHandler),
    (rf"snapshots/{SNAPSHOT_ID}/lineage", LineageHandler),
]
