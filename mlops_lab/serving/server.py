"""`mlops-lab serve name@alias`: the model server on the store, with hot swap and the
prediction log.

The version is loaded once at start (startup.py keeps that short). When serving an alias, a
background task asks the registry every `poll_seconds` where the alias points; when it moved,
the new version is loaded in a thread (the event loop keeps answering with the old one) and
then swapped in with one reference assignment, so no request fails or waits while the alias
moves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import asdict, dataclass

log = logging.getLogger("mlops_lab.serving")

# `--workers N` starts N processes that each build the app from this environment variable.
SETTINGS_ENV = "MLOPS_LAB_SERVE_SETTINGS"


@dataclass
class ServeSettings:
    ref: str
    poll_seconds: float = 1.0
    allow_pickle: bool = False
    log_queue_size: int = 10_000
    log_batch_size: int = 500
    log_predictions: bool = True
    max_rows: int = 10_000
    max_body_bytes: int = 8 << 20
    probabilities: bool = False  # answers carry class probabilities unless a request says no
    runtime: str = "skops"  # skops | onnx | auto (see loading.py)


def build_server_app(settings: ServeSettings, lookup=None):
    """The ASGI app for `settings`, its model loaded (NotFound/InvalidInput when it cannot be);
    `lookup`: the version's read from the store, if started already (startup.Lookup)."""
    from ..models.refs import parse_ref
    from .runtime.app import Limits, ModelHolder, build_app
    from .runtime.prediction_log import PredictionLog
    from .startup import LazyServingService, load_at_start

    predictor = load_at_start(settings.ref, allow_pickle=settings.allow_pickle,
                              runtime=settings.runtime, lookup=lookup)
    if settings.probabilities:
        predictor.check_probabilities()
    log.info("mlops-lab: serving %s version %s (%s) with %s: POST /predict, GET /health, "
             "/metadata, /metrics", predictor.name, predictor.version, settings.ref,
             predictor.runtime)
    service = LazyServingService()
    holder = ModelHolder(predictor)
    name, _, alias = parse_ref(settings.ref)
    background = []
    if alias is not None and settings.poll_seconds > 0:
        background.append(lambda: watch_alias(service, holder, predictor.name, alias, settings))
    prediction_log = (PredictionLog(service.write_prediction_logs, settings.log_queue_size,
                                    settings.log_batch_size)
                      if settings.log_predictions else None)
    info = {"ref": settings.ref, "alias": alias, "runtime_setting": settings.runtime,
            "hot_swap_poll_seconds": settings.poll_seconds if alias else None}
    return build_app(holder, prediction_log=prediction_log, background=background, info=info,
                     limits=Limits(settings.max_rows, settings.max_body_bytes),
                     probabilities=settings.probabilities)


async def watch_alias(service, holder, name: str, alias: str, settings: ServeSettings) -> None:
    """Follows the alias: loads the version it moves to off the event loop, then swaps."""
    failed_version = None
    while True:
        await asyncio.sleep(settings.poll_seconds)
        target = None
        try:
            target = await asyncio.to_thread(lambda: service.get().models.alias_target(
                name, alias))
            if target is None or target == holder.current.version or target == failed_version:
                continue
            predictor = await asyncio.to_thread(
                lambda: service.get().load_predictor(f"{name}/{target}", settings.allow_pickle,
                                                     settings.runtime))
            if settings.probabilities:  # the answers promised stay possible
                predictor.check_probabilities()
            holder.swap(predictor)
            failed_version = None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep serving the old version; say why once per version
            failed_version = target
            log.warning("mlops-lab: could not switch %s@%s to version %s (%s); still serving "
                        "version %s", name, alias, failed_version, exc, holder.current.version)


def app_from_environment():
    """The app factory uvicorn's worker processes call (`--workers N`)."""
    return build_server_app(ServeSettings(**json.loads(os.environ[SETTINGS_ENV])))


def serve(settings: ServeSettings, host: str = "127.0.0.1", port: int = 8080,
          workers: int = 1, log_level: str = "info") -> None:
    """Runs the server until interrupted. The model is loaded before the port is opened, so
    a bad reference fails here with a clear error instead of in every request."""
    lookup = None
    if workers == 1:  # the store is read in a helper while this process imports the rest
        from .startup import Lookup

        lookup = Lookup(settings.ref, settings.allow_pickle, settings.runtime)
    import uvicorn

    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # a schema upgrade says it in one line
    common = dict(host=host, port=port, log_level=log_level, access_log=False,
                  timeout_graceful_shutdown=10)
    if workers > 1:
        from .runtime.metrics import shared_between_workers

        os.environ[SETTINGS_ENV] = json.dumps(asdict(settings))
        build_server_app(settings)  # fail fast, in the parent, on a bad reference
        with shared_between_workers():  # /metrics adds up every worker's counts
            uvicorn.run("mlops_lab.serving.server:app_from_environment", factory=True,
                        workers=workers, **common)
        return
    uvicorn.run(build_server_app(settings, lookup), **common)
