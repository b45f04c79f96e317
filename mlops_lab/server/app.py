"""The Jupyter server extension: opens the store the server's notebooks write to, serves the
REST API and marks runs of dead kernels KILLED.

Configure it like any Jupyter app, e.g. in jupyter_server_config.py:

    c.MlopsLabApp.store_uri = "postgresql://user@db/mlops"
    c.MlopsLabApp.artifacts_root = "s3://bucket/mlops"
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from jupyter_server.extension.application import ExtensionApp
from tornado.ioloop import PeriodicCallback
from traitlets import Bool, Dict, Float, Type, Unicode, validate

from .. import config


class MlopsLabApp(ExtensionApp):
    name = "mlops_lab"
    description = "mlops-lab: experiment tracking and MLOps inside Jupyter"
    load_other_extensions = True

    store_uri = Unicode(
        "",
        help="Metadata database (sqlite:///path, postgresql://…). Default: MLOPS_LAB_URI, "
        "else .mlops-lab/mlops.db in the server's root directory.",
    ).tag(config=True)
    artifacts_root = Unicode(
        "",
        help="Artifact root (a folder or an fsspec URL such as s3://bucket/prefix). Default: "
        "MLOPS_LAB_ARTIFACTS, else .mlops-lab/artifacts in the server's root directory.",
    ).tag(config=True)
    busy_timeout = Float(
        0.0,
        help="Seconds a write waits for another process's lock before answering 'store busy' "
        "(503). 0 means MLOPS_LAB_BUSY_TIMEOUT, else 10.",
    ).tag(config=True)
    sweep_interval = Float(
        30.0, help="Seconds between sweeps that mark runs of dead processes KILLED; 0 turns it off."
    ).tag(config=True)
    allow_pickle = Bool(
        False,
        help="Let the model \"Try it\" route load pickled model versions. Unpickling runs code "
        "from the file: turn on only if everyone who can register models is trusted.",
    ).tag(config=True)

    run_scheduler = Bool(
        True, help="Fire scheduled notebooks (and start queued pipeline runs) while the server "
        "runs; `mlops-lab scheduler` does it when no server runs. Several may run at once.",
    ).tag(config=True)

    service_classes = Dict(
        value_trait=Type(klass=object),
        help="Replace a part's service with another class, e.g. {\"tracking\": "
        "\"mypackage.tracking.AuditedTrackingService\"}. The class is built like the one it "
        "replaces (see mlops_lab.services.DEFAULT_CLASSES for the parts and their classes).",
    ).tag(config=True)

    @validate("service_classes")
    def _known_parts(self, proposal):
        from ..services import DEFAULT_CLASSES

        unknown = set(proposal["value"]) - set(DEFAULT_CLASSES)
        if unknown:
            raise ValueError(f"service_classes: no part named {', '.join(sorted(unknown))}; "
                             f"the parts are {', '.join(DEFAULT_CLASSES)}.")
        return proposal["value"]

    def initialize_settings(self) -> None:
        from ..errors import MlopsLabError
        from ..services import Services
        from ..store import open_store

        self._export_location()
        self.tracking = None
        self.settings["mlops_lab_services"] = None
        self.settings["mlops_lab_allow_pickle"] = self.allow_pickle
        try:
            store = open_store()
        except MlopsLabError as exc:
            # e.g. a database written by a newer mlops-lab: every route answers with this
            # message, so the side panel can say what to do instead of failing to load.
            self.log.error("mlops-lab cannot use its store: %s", exc)
            self.settings["mlops_lab_store"] = exc
            return
        self.settings["mlops_lab_store"] = store
        # Not services_for(store): the classes configured here are this server's alone.
        services = self.settings["mlops_lab_services"] = Services(store, self.service_classes)
        self.tracking = services.tracking
        self.log.info("mlops-lab store: %s", store.describe())

    def _export_location(self) -> None:
        """Puts the store's location in this process's environment, so that every part of the
        server and every kernel it starts (they inherit the environment) use the same store."""
        if not os.environ.get("MLOPS_LAB_HOME"):
            home = Path(self.serverapp.root_dir).expanduser() / config.STORE_DIR_NAME
            home.mkdir(parents=True, exist_ok=True)
            os.environ["MLOPS_LAB_HOME"] = str(home.resolve())
        if self.store_uri:
            os.environ["MLOPS_LAB_URI"] = self.store_uri
        if self.artifacts_root:
            os.environ["MLOPS_LAB_ARTIFACTS"] = self.artifacts_root
        if self.busy_timeout > 0:
            os.environ["MLOPS_LAB_BUSY_TIMEOUT"] = repr(self.busy_timeout)

    def initialize_handlers(self) -> None:
        from .handlers import handlers

        self.handlers.extend(handlers())

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        """Runs once the event loop is running."""
        self._sweeper = None
        if self.sweep_interval > 0 and self.tracking is not None:
            await self.sweep()  # runs left RUNNING by kernels that died while no server ran
            self._sweeper = PeriodicCallback(self.sweep, self.sweep_interval * 1000)
            self._sweeper.start()
        self._scheduler = None
        if self.run_scheduler and self.tracking is not None:
            from ..monitoring.watch import Watcher
            from ..pipelines.schedules.scheduler import start_in_thread

            services = self.settings["mlops_lab_services"]
            self._scheduler = start_in_thread(services.store, pipelines=services.pipelines,
                                              schedules=services.schedules,
                                              tracking=services.tracking,
                                              watcher=Watcher(services.monitors, services.alerts,
                                                              services.webhooks,
                                                              retraining=services.retraining))

    async def sweep(self) -> int:
        """Marks KILLED the runs whose process is gone (off the event loop)."""
        try:
            killed = await asyncio.to_thread(self.tracking.sweep_dead_runs)
        except Exception:
            self.log.warning("mlops-lab: sweeping dead runs failed", exc_info=True)
            return 0
        if killed:
            self.log.info("mlops-lab: marked %d run(s) of dead processes KILLED", killed)
        return killed

    async def stop_extension(self) -> None:
        sweeper = getattr(self, "_sweeper", None)
        if sweeper is not None:
            sweeper.stop()
        scheduler = getattr(self, "_scheduler", None)
        if scheduler is not None:
            thread, stop = scheduler
            stop.set()
            await asyncio.to_thread(thread.join, 10)
