"""REST routes of pipelines: pipeline runs (start, list, show, cancel, log), the parameters of a
notebook, schedules, and reproducing a run. Notebook paths are relative to the server's root
and must stay inside it; the services do the rest."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from ..errors import InvalidInput
from .base import MlopsLabHandler, OldPath

ID = r"[0-9a-f]{32}"


class PipelineHandler(MlopsLabHandler):
    @property
    def root(self) -> str:
        return self.settings.get("server_root_dir") or self.serverapp.root_dir

    def notebook(self, relative) -> str:
        from ..pipelines.runs.notebooks import notebook_in_root

        if not isinstance(relative, str):
            raise InvalidInput("notebook must be a path relative to the server's root.")
        return str(notebook_in_root(self.root, relative))

    def run_json(self, run) -> dict:
        """The pipeline run, with its paths relative to the root for JupyterLab to open."""
        from ..pipelines.runs.notebooks import relative_to_root

        doc = run.to_json()
        doc["notebook_path"] = relative_to_root(self.root, run.notebook)
        doc["output_path"] = (relative_to_root(self.root, run.output_notebook)
                              if run.output_blob else None)
        doc.pop("cwd", None)
        return doc

    def schedule_json(self, schedule) -> dict:
        from ..pipelines.runs.notebooks import relative_to_root

        return {**schedule.to_json(),
                "notebook_path": relative_to_root(self.root, schedule.notebook)}


class PipelineRunsHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        status = self.get_argument("status", "") or None
        schedule_id = self.get_argument("schedule", "") or None
        page = await self.keyset_page(
            lambda after, n: self.services.pipelines.list_runs(status=status, schedule_id=schedule_id,
                                                      limit=n, after=after),
            lambda r: (r.created_at, r.id), (int, str))
        self.reply(page.to_json("pipeline_runs", self.run_json))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        notebook = await self.call(self.notebook, body.get("notebook"))
        run = await self.call(
            self.services.pipelines.run_notebook, notebook, body.get("parameters") or {},
            timeout=body.get("timeout"), retries=body.get("retries", 0),
            tags=body.get("tags"), wait=False,
            allow_undeclared=body.get("allow_undeclared", False))
        self.set_status(201)
        self.reply(self.run_json(run))


class PipelineRunHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, pipeline_run_id: str):
        self.reply(self.run_json(await self.call(self.services.pipelines.get, pipeline_run_id)))


class PipelineRunCancelHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def post(self, pipeline_run_id: str):
        self.reply(self.run_json(await self.call(self.services.pipelines.cancel, pipeline_run_id)))


class PipelineRunLogHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, pipeline_run_id: str):
        self.reply({"log": await self.call(self.services.pipelines.log, pipeline_run_id)})


class PipelineRunComparisonHandler(PipelineHandler):
    """A reproduction compared with its original; ?rel_tol=&abs_tol=&ignore=… as in the CLI."""

    @tornado.web.authenticated
    @authorized
    async def get(self, pipeline_run_id: str):
        from ..pipelines.reproduce.comparison import tolerance
        tol = tolerance(self.number_argument("rel_tol"), self.number_argument("abs_tol"),
                        self.get_arguments("ignore") or None)
        self.reply(await self.call(self.services.reproduce.report, pipeline_run_id,
                                   tol))

    def number_argument(self, name: str) -> float | None:
        text = self.get_argument(name, "")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise InvalidInput(f"{name} must be a number, not {text[:50]!r}.") from None


class NotebookParametersHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        from ..pipelines.runs.parameters import inspect_parameters
        from pathlib import Path

        notebook = await self.call(self.notebook, self.get_argument("notebook", ""))
        found = await self.call(inspect_parameters, Path(notebook))
        self.reply({"notebook": self.get_argument("notebook"), "parameters": found})


class ReproductionHandler(PipelineHandler):
    """The reproduction of a pipeline run (or of the pipeline run behind a tracked run).
    GET: what reproducing would start from (inputs, environment changes). POST: start it."""

    @tornado.web.authenticated
    @authorized
    async def get(self, pipeline_run_id: str):
        report = await self.call(self.services.reproduce.check, pipeline_run_id)
        self.reply(report)

    @tornado.web.authenticated
    @authorized
    async def post(self, pipeline_run_id: str):
        force = bool(self.json_body().get("force", False))
        report = await self.call(self.services.reproduce.reproduce, pipeline_run_id,
                                 wait=False, force=force)
        self.set_status(201)
        self.reply(report)


class OldReproductionHandler(OldPath, ReproductionHandler):
    """`reproductions/{run_id}`, the old path of `pipeline-runs/{id}/reproduction`."""

    successor = "pipeline-runs/{id}/reproduction"

    @tornado.web.authenticated
    @authorized
    async def get(self, run_id: str):
        await super().get(run_id)

    @tornado.web.authenticated
    @authorized
    async def post(self, run_id: str):
        await super().post(run_id)


class SchedulesHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        page = await self.whole_list_page(self.services.schedules.list, lambda s: (s.created_at, s.id),
                                          (int, str))
        self.reply(page.to_json("schedules", self.schedule_json))

    @tornado.web.authenticated
    @authorized
    async def post(self):
        body = self.json_body()
        notebook = await self.call(self.notebook, body.get("notebook"))
        options = {k: body[k] for k in ("name", "timezone", "missed", "keep_last", "timeout",
                                        "retries", "enabled", "max_queued") if k in body}
        schedule = await self.call(self.services.schedules.create, notebook, body.get("cron"),
                                   body.get("parameters") or {}, **options)
        self.set_status(201)
        self.reply(self.schedule_json(schedule))


class ScheduleHandler(PipelineHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, schedule_id: str):
        self.reply(self.schedule_json(await self.call(self.services.schedules.get, schedule_id)))

    @tornado.web.authenticated
    @authorized
    async def patch(self, schedule_id: str):
        body = self.json_body()
        changes = {k: body[k] for k in ("name", "cron", "timezone", "missed", "keep_last",
                                        "timeout", "retries", "enabled", "parameters",
                                        "max_queued") if k in body}
        if "notebook" in body:
            changes["notebook"] = await self.call(self.notebook, body["notebook"])
        schedule = await self.call(lambda: self.services.schedules.update(schedule_id, **changes))
        self.reply(self.schedule_json(schedule))

    @tornado.web.authenticated
    @authorized
    async def delete(self, schedule_id: str):
        await self.call(self.services.schedules.delete, schedule_id)
        self.set_status(204)
        self.finish()


# (pattern relative to /mlops-lab/api/, handler class); each also in openapi/pipelines.yaml.
ROUTES: list[tuple[str, type]] = [
    (r"pipeline-runs", PipelineRunsHandler),
    (rf"pipeline-runs/(?P<pipeline_run_id>{ID})", PipelineRunHandler),
    (rf"pipeline-runs/(?P<pipeline_run_id>{ID})/cancel", PipelineRunCancelHandler),
    (rf"pipeline-runs/(?P<pipeline_run_id>{ID})/log", PipelineRunLogHandler),
    (rf"pipeline-runs/(?P<pipeline_run_id>{ID})/comparison", PipelineRunComparisonHandler),
    (r"pipelines/parameters", NotebookParametersHandler),
    (rf"pipeline-runs/(?P<pipeline_run_id>{ID})/reproduction", ReproductionHandler),
    # The old path of the reproduction, for one release (Deprecation header).
    (rf"reproductions/(?P<run_id>{ID})", OldReproductionHandler),
    (r"schedules", SchedulesHandler),
    (rf"schedules/(?P<schedule_id>{ID})", ScheduleHandler),
]
