"""Serving rules on top of the registry: which model version to serve, scoring one request for
the "Try it" form, and the prediction log's table.

Entry points (the `serve`, `predict` and `package` commands, the Jupyter "Try it" route, the
Python API) call these methods; request validation itself lives in `runtime/validation.py`.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from sqlalchemy import func, insert, select

from ..errors import InvalidInput
from ..limits import check_limit
from ..collaborators import Collaborator
from ..store import Store
from ..store.tables import serving as t
from .runtime.predictor import Predictor
from .runtime.validation import (
    MAX_ROWS, example_request, frame_from_request, input_columns, request_doc, wants_probabilities,
)

# Versions kept loaded by the "Try it" route (a model file can be large; keep a few).
TRY_IT_CACHE = 4


class ServingService:
    models = Collaborator("models")  # the versions served

    def __init__(self, store: Store, models=None):
        self.store = store
        self._models = models
        self._loaded: OrderedDict[tuple[str, int], Predictor] = OrderedDict()
        self._lock = threading.Lock()

    # ---- loading ---------------------------------------------------------------------------

    def load_predictor(self, ref: str, allow_pickle: bool = False,
                       runtime: str = "skops") -> Predictor:
        """The model version `ref` names ("name@alias", "name/3", "name"), loaded safely:
        its skops file, or with `runtime` "onnx"/"auto" its verified ONNX file (loading.py)."""
        from .loading import make_predictor, read_model_file

        version, kind, data = read_model_file(self.models, ref, runtime, allow_pickle)
        return make_predictor(version, kind, data, allow_pickle)

    def cached_predictor(self, name: str, version: int, allow_pickle: bool = False) -> Predictor:
        """A version loaded once and kept (a few, least recently used first out)."""
        key = (name, int(version))
        with self._lock:
            found = self._loaded.get(key)
            if found is not None:
                self._loaded.move_to_end(key)
                return found
        predictor = self.load_predictor(f"{name}/{int(version)}", allow_pickle=allow_pickle)
        if predictor.name != name or predictor.version != int(version):
            # a model whose own name contains '/' resolved by its whole name: not this version
            predictor = self._exact(name, int(version), allow_pickle)
        with self._lock:
            self._loaded[key] = predictor
            while len(self._loaded) > TRY_IT_CACHE:
                self._loaded.popitem(last=False)
        return predictor

    def _exact(self, name: str, version: int, allow_pickle: bool) -> Predictor:
        from ..models import serialization

        mv = self.models.get_version(name, version)
        model = serialization.load_bytes(self.store.artifacts.read(mv.blob), mv.format,
                                         mv.trusted_types, allow_pickle=allow_pickle,
                                         what=f"model version {mv.ref}")
        return Predictor(mv.name, mv.version, model, mv.signature or {})

    # ---- one request (the "Try it" form) ---------------------------------------------------

    def request_example(self, name: str, version: int) -> dict:
        """The input columns of a version and a one-row request that fits them (the "Try it"
        form starts from it); nothing is loaded."""
        mv = self.models.get_version(name, version)
        columns = input_columns(mv.signature)
        return {"model": mv.name, "version": mv.version, "format": mv.format,
                "inputs": [c.to_json() for c in columns or []],
                "example": example_request(columns, mv.signature.get("example"))}

    def try_predict(self, name: str, version: int, body: bytes, *, allow_pickle: bool = False,
                    max_body_bytes: int = 1 << 20, max_rows: int = MAX_ROWS) -> dict:
        """Scores one JSON request body with a model version, by the model server's rules.
        Not logged for monitoring: these are people trying a version, not traffic."""
        doc = request_doc(body, max_body_bytes)  # a bad body is refused before the model loads
        predictor = self.cached_predictor(name, version, allow_pickle=allow_pickle)
        frame = frame_from_request(doc, predictor.columns, allow_missing=predictor.allow_missing,
                                   max_rows=max_rows)
        answer = predictor.predict(frame, wants_probabilities(doc))
        return {**answer, "model": predictor.name, "version": predictor.version}

    # ---- files -----------------------------------------------------------------------------

    def score_file(self, ref: str, input_path, output_path, *, chunk_rows: int | None = None,
                   progress: bool = True, allow_pickle: bool = False,
                   probabilities: bool = False):
        """Batch scoring of a CSV/Parquet file into a Parquet file (see batch.py);
        `probabilities` adds one column per class of a classifier."""
        from .batch import CHUNK_ROWS, score_file

        if chunk_rows is not None and (not isinstance(chunk_rows, int) or chunk_rows < 1):
            raise InvalidInput("chunk_rows must be a whole number of at least 1.")
        predictor = self.load_predictor(ref, allow_pickle=allow_pickle)
        if probabilities:
            predictor.check_probabilities()
        return score_file(predictor, input_path, output_path,
                          chunk_rows=chunk_rows or CHUNK_ROWS, progress=progress,
                          probabilities=probabilities)

    def package(self, ref: str, out_dir, runtime: str = "skops", edge: bool = False) -> dict:
        """A container build context for the version `ref` names (see package.py): serving
        its skops file, or with `runtime="onnx"` its verified ONNX file (no scikit-learn in
        the image). `edge=True`: the ONNX file, signature, card and an example client for a
        device (edge.py)."""
        from .loading import choose_runtime
        from .package import build_context

        version = self.models.resolve(ref)
        if edge or runtime != "skops":
            kind = choose_runtime(version, "onnx" if edge else runtime)
            if kind == "onnx":
                version, data = self.models.onnx_file(version.ref)
                if edge:
                    from .edge import build_edge

                    return build_edge(version, data, out_dir)
                return build_context(version, data, out_dir, "onnx")
        return build_context(version, self.store.artifacts.read(version.blob), out_dir)

    # ---- the prediction log ----------------------------------------------------------------

    def write_prediction_logs(self, rows: list[dict]) -> None:
        """One batch of the server's log queue (request_id, model_name, model_version,
        created_at, inputs, outputs per request), stored column by column in one short
        transaction."""
        if rows:
            from . import prediction_chunks

            chunks = prediction_chunks.encode(rows)
            with self.store.db.write() as conn:
                conn.execute(insert(t.prediction_chunks), chunks)

    def prediction_logs(self, name: str, version: int | None = None, limit: int = 1000,
                        since: int | None = None) -> list[dict]:
        """Logged predictions of a model (a version), oldest first, inputs/outputs decoded."""
        check_limit(limit, 100_000)
        c = t.prediction_logs.c
        query = select(t.prediction_logs).where(c.model_name == name)
        if version is not None:
            query = query.where(c.model_version == int(version))
        if since is not None:
            query = query.where(c.created_at >= int(since))
        with self.store.db.read() as conn:
            rows = conn.execute(query.order_by(c.id).limit(limit)).all()
        older = [{"request_id": r.request_id, "model": r.model_name, "version": r.model_version,
                  "created_at": r.created_at, "row_count": r.row_count,
                  "inputs": json.loads(r.inputs), "outputs": json.loads(r.outputs)}
                 for r in rows]  # written by servers before the log was kept in chunks
        from . import prediction_chunks

        k = t.prediction_chunks.c
        query = prediction_chunks.query([k.model_version, k.data], name, version, since)
        newer: list[dict] = []
        with self.store.db.read() as conn:
            for chunk in conn.execute(query.order_by(k.id)):
                newer += prediction_chunks.request_docs(prediction_chunks.decode(chunk.data),
                                                        name, chunk.model_version)
                if len(older) + len(newer) >= limit:
                    break
        if since is not None:
            newer = [doc for doc in newer if doc["created_at"] >= since]
        return (older + newer)[:limit]

    def prediction_frame(self, name: str, version: int | None = None, *,
                         since: int | None = None, last: int | None = None,
                         max_rows: int = 5_000_000):
        """The logged predictions of a model (a version) as one frame, oldest first: the input
        columns, `prediction`, `request_id`, `row` (within its request) and `created_at`; the
        newest `last` rows and/or those logged since `since` (ms)."""
        from . import prediction_frame

        return prediction_frame.read(self.store.db, name, version, since, last, max_rows)

    def last_prediction_at(self, name: str) -> int | None:
        """When the model (any version) last answered a logged prediction (ms), or None."""
        c, k = t.prediction_logs.c, t.prediction_chunks.c
        with self.store.db.read() as conn:
            found = [conn.execute(select(func.max(c.created_at)).where(c.model_name == name))
                     .scalar(),
                     conn.execute(select(func.max(k.last_at)).where(k.model_name == name))
                     .scalar()]
        return max((f for f in found if f is not None), default=None)

