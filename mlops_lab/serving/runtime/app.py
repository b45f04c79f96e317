"""The model server as an ASGI app (starlette), served by uvicorn.

    POST /predict    {"records": [...]} or {"columns": {...}} -> {"predictions": [...], ...}
                     (+ "probabilities": true -> "classes" and "probabilities" too)
    GET  /health     liveness, the version served, the prediction log's counts
    GET  /metadata   the model version, its input columns and the server's limits
    GET  /metrics    Prometheus text: requests, errors, latency histogram, log counts

The served model is one reference (`ModelHolder.current`): a request reads it once and scores
with that predictor to the end, so replacing it (hot swap) never disturbs a request in flight.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Awaitable, Callable

from .errors import RequestError
from .metrics import ServerMetrics
from .prediction_log import PredictionLog
from .predictor import Predictor
from .validation import (
    MAX_BODY_BYTES, MAX_ROWS, arrays_from_request, parse_json, too_large, wants_probabilities,
)

log = logging.getLogger("mlops_lab.serving")

# Rows up to this many are scored on the event loop (a thread hop costs more than the work);
# larger requests go to a thread so /health and other requests keep being answered.
INLINE_ROWS = 64
INTERNAL_MESSAGE = "The model server failed to answer this request; the details are in its log."
JSON = "application/json"


@dataclass
class Limits:
    max_rows: int = MAX_ROWS
    max_body_bytes: int = MAX_BODY_BYTES


class ModelHolder:
    """The version being served. Swapping is one reference assignment (atomic in Python)."""

    def __init__(self, predictor: Predictor):
        self.current = predictor
        self.swaps = 0
        self.on_swap: Callable[[Predictor, Predictor], None] | None = None

    def swap(self, predictor: Predictor) -> None:
        old, self.current = self.current, predictor
        self.swaps += 1
        if self.on_swap is not None:
            self.on_swap(old, predictor)


def json_response(doc, status: int = 200, headers: dict | None = None):
    from starlette.responses import Response

    try:
        text = json.dumps(doc, allow_nan=False, default=str)
    except ValueError:  # a NaN deep in an object-typed output: JSON has no NaN, send null
        text = json.dumps(_finite(doc), allow_nan=False, default=str)
    return Response(text, status_code=status, media_type=JSON, headers=headers)


def _finite(value):
    # Not mlops_lab.jsonvalues: this runtime is copied alone into a container build context.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def build_app(holder: ModelHolder, *, prediction_log: PredictionLog | None = None,
              limits: Limits | None = None,
              background: list[Callable[[], Awaitable[None]]] | None = None,
              info: dict | None = None, probabilities: bool = False):
    """The ASGI app serving `holder.current`; `background` coroutines run while it is up.
    `probabilities`: answers carry class probabilities unless a request says false."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import Response
    from starlette.routing import Route

    limits = limits or Limits()
    metrics = ServerMetrics(holder.current.name, holder.current.version)
    if prediction_log is not None:
        prediction_log.on_count = metrics.count_log
    holder.on_swap = lambda old, new: (
        metrics.swapped(new.name, new.version),
        log.info("mlops-lab: now serving %s version %s (was %s)", new.name, new.version,
                 old.version))

    async def predict(request):
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        predictor = holder.current  # this request's model, whatever a swap does meanwhile
        try:
            body = await _read_body(request, limits.max_body_bytes)
            doc = parse_json(body)
            inputs = arrays_from_request(doc, predictor.columns,
                                         allow_missing=predictor.allow_missing,
                                         max_rows=limits.max_rows)
            proba = wants_probabilities(doc, probabilities)
            if len(next(iter(inputs.values()))) > INLINE_ROWS:
                answer = await asyncio.to_thread(predictor.predict_arrays, inputs, proba)
            else:
                answer = predictor.predict_arrays(inputs, proba)
        except RequestError as exc:
            metrics.observe("/predict", exc.status, time.perf_counter() - started, exc.error)
            return json_response(exc.to_json(), exc.status, {"X-Request-Id": request_id})
        except Exception:
            log.exception("mlops-lab: /predict failed (request %s)", request_id)
            metrics.observe("/predict", 500, time.perf_counter() - started, "InternalError")
            return json_response({"error": "InternalError", "message": INTERNAL_MESSAGE}, 500,
                                 {"X-Request-Id": request_id})
        outputs = answer["predictions"]
        if prediction_log is not None:
            prediction_log.submit(request_id, predictor.name, predictor.version, inputs, outputs)
        metrics.rows.inc(len(outputs))
        response = json_response(
            {**answer, "model": predictor.name, "version": predictor.version,
             "request_id": request_id},
            headers={"X-Model-Version": str(predictor.version), "X-Request-Id": request_id})
        metrics.observe("/predict", 200, time.perf_counter() - started)
        return response

    async def health(request):
        started = time.perf_counter()
        current = holder.current
        doc = {"status": "ok", "model": current.name, "version": current.version,
               "swaps": holder.swaps}
        if prediction_log is not None:
            doc["prediction_log"] = prediction_log.stats()
        response = json_response(doc)
        metrics.observe("/health", 200, time.perf_counter() - started)
        return response

    async def metadata(request):
        started = time.perf_counter()
        doc = dict(holder.current.describe(), limits={
            "max_rows": limits.max_rows, "max_body_bytes": limits.max_body_bytes},
            probabilities_by_default=probabilities, **(info or {}))
        response = json_response(doc)
        metrics.observe("/metadata", 200, time.perf_counter() - started)
        return response

    async def metrics_text(request):
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type.split(";")[0],
                        headers={"Content-Type": content_type})

    async def http_error(request, exc: HTTPException):
        words = {404: "NotFound", 405: "MethodNotAllowed"}
        error = words.get(exc.status_code, "HTTPError")
        message = ("No such route: the model server answers POST /predict, GET /health, "
                   "/metadata and /metrics." if exc.status_code in (404, 405) else exc.detail)
        metrics.observe("other", exc.status_code, 0.0, error)
        # starlette's own headers, e.g. the Allow of a 405
        return json_response({"error": error, "message": message}, exc.status_code,
                             dict(exc.headers or {}))

    @asynccontextmanager
    async def lifespan(app):
        if prediction_log is not None:
            await prediction_log.start()
        tasks = [asyncio.create_task(make()) for make in background or []]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
            if prediction_log is not None:
                await prediction_log.stop()
            metrics.close()

    app = Starlette(
        routes=[Route("/predict", predict, methods=["POST"]),
                Route("/health", health, methods=["GET"]),
                Route("/metadata", metadata, methods=["GET"]),
                Route("/metrics", metrics_text, methods=["GET"])],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.holder = holder
    app.state.metrics = metrics
    app.state.prediction_log = prediction_log
    return app


async def _read_body(request, limit: int) -> bytes:
    """The body, refused from its Content-Length before a byte is read when that is over the
    limit, and cut off while streaming when a body without (or lying about) it grows past."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise RequestError("The Content-Length header is not a number.", 400,
                               "InvalidRequest") from None
        if size > limit:
            raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
