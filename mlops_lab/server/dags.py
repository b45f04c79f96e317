"""REST routes of DAGs: DAG runs with their steps and edges, and resuming a failed one.
Parse the request, call the DAG service off the event loop, shape the JSON."""

from __future__ import annotations

import tornado.web
from jupyter_server.auth.decorator import authorized

from .base import MlopsLabHandler

DAG_RUN_ID = r"(?P<dag_run_id>[0-9a-f]{32})"


class DagRunsHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self):
        status = self.get_argument("status", "") or None
        page = await self.keyset_page(lambda after, n: self.services.dags.list_runs(status, n, after),
                                      lambda r: (r.created_at, r.id), (int, str))
        self.reply(page.to_json("dag_runs", lambda r: r.to_json(with_steps=False)))


class DagRunHandler(MlopsLabHandler):
    @tornado.web.authenticated
    @authorized
    async def get(self, dag_run_id: str):
        run = await self.call(self.services.dags.get, dag_run_id)
        self.reply(run.to_json())


class ResumeHandler(MlopsLabHandler):
    """Starts a new attempt in the server and answers at once (202); poll the DAG run."""

    @tornado.web.authenticated
    @authorized
    async def post(self, dag_run_id: str):
        self.json_body()  # an optional empty object; anything malformed is a 400
        run = await self.call(self.services.dags.resume, dag_run_id, wait=False)
        self.set_status(202)
        self.reply(run.to_json())


# Patterns relative to the server's base URL; every one must also be in openapi/dags.yaml.
ROUTES = [
    (r"dag-runs", DagRunsHandler),
    (rf"dag-runs/{DAG_RUN_ID}", DagRunHandler),
    (rf"dag-runs/{DAG_RUN_ID}/resume", ResumeHandler),
]
