"""REST routes of model evaluation: run a gate or a benchmark, list a model's, read one.
Parse the request, call the evaluation service off the event loop, shape the JSON."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .base import MlopsLabHandler
from .models import NAME

# The body fields each run takes (the service checks their values).
GATE_FIELDS = {"challenger", "champion", "data", "label", "metric", "margin", "confidence",
               "resamples", "seed", "slices", "max_slice_drop", "max_latency_increase",
               "check_signature", "promote", "keep_previous", "reason"}
BENCHMARK_FIELDS = {"versions", "data", "label", "metrics", "confidence", "resamples", "seed"}
REQUIRED = {"gate": ("challenger", "champion", "data", "label"),
            "benchmark": ("versions", "data", "label")}


def _fields(body: dict, allowed: set[str], kind: str) -> dict:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidInput(f"A {kind} takes no field {', '.join(map(repr, unknown))}; its "
                           f"fields are {', '.join(sorted(allowed))}.")
    missing = [k for k in REQUIRED[kind] if body.get(k) in (None, "")]
    if missing:
        raise InvalidInput(f"A {kind} needs {', '.join(missing)}.")
    return body


class GatesHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = _fields(self.json_body(), GATE_FIELDS, "gate")
        found = await self.call(self.services.evaluation.gate, user=self.user_name(), **body)
        self.reply(found.to_json())


class BenchmarksHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = _fields(self.json_body(), BENCHMARK_FIELDS, "benchmark")
        refs = body.pop("versions")
        found = await self.call(self.services.evaluation.benchmark_models, refs,
                                user=self.user_name(), **body)
        self.reply(found.to_json())


class ModelEvaluationsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, name: str):
        kind = self.get_argument("kind", None) or None
        version = self.get_argument("version", None) or None
        if version is not None and not (version.isdigit() and len(version) < 10):
            raise InvalidInput("version is a version number.")
        page = await self.keyset_page(
            lambda after, n: self.services.evaluation.list_evaluations(
                name, kind, None if version is None else int(version), n, after),
            lambda e: (e.created_at, e.id), (int, int))
        self.reply(page.to_json("evaluations"))


class EvaluationHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, evaluation_id: str):
        found = await self.call(self.services.evaluation.get_evaluation, int(evaluation_id))
        self.reply(found.to_json())


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/evaluation.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"gates", GatesHandler),
    (r"benchmarks", BenchmarksHandler),
    (rf"models/{NAME}/evaluations", ModelEvaluationsHandler),
    (r"evaluations/(?P<evaluation_id>[0-9]{1,9})", EvaluationHandler),
]
