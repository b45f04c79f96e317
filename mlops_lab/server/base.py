"""What every REST handler shares: authentication, JSON in and out, errors through one
mapping, database and file work off the event loop, and each part's service from the store
the server opened."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.log import _scrub_uri

from ..errors import InvalidInput, SchemaError
from ..jsonvalues import finite_named
from .errors import BodyTooLarge, error_body, status_of
from .identity import jupyter_user_name
from .paging import Paging

AUTH_RESOURCE = "mlops_lab"
API_PREFIX = "mlops-lab/api"
# A request body larger than this is refused (413) before it is read whole.
MAX_JSON_BODY = 1 << 20


def to_json_text(doc: Any) -> str:
    """JSON with non-finite floats as "NaN"/"Infinity"/"-Infinity" (the contract's spelling), and
    `<`, `>`, `&` escaped so no byte of a stored name can ever be read as markup."""
    try:
        text = json.dumps(doc, allow_nan=False)
    except ValueError:
        text = json.dumps(finite_named(doc), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class OldPath:
    """Mixin of a route kept one release under its old path: it answers as it did, with a
    `Deprecation: true` header and a Link to the path that replaces it (`successor`)."""

    successor = ""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Deprecation", "true")
        self.set_header("Link", f'<{self.successor}>; rel="successor-version"')


@tornado.web.stream_request_body
class MlopsLabHandler(Paging, APIHandler):
    """Base of every mlops-lab route: JSON bodies, JSON errors, work in a thread, lists paged
    by one contract (Paging).

    Bodies are streamed in rather than buffered by tornado, so that one over `body_limit` is
    refused (413) from its Content-Length before a byte of it is read, or, sent without one
    (chunked), as soon as it grows past the limit; the connection is then closed instead of
    reading the rest. prepare() has authenticated the client by the time any byte arrives.
    """

    auth_resource = AUTH_RESOURCE
    body_limit = MAX_JSON_BODY

    async def prepare(self):
        self._body: bytearray | None = bytearray()
        await super().prepare()
        declared = self.request.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.body_limit:
            self._refuse_body()

    def data_received(self, chunk: bytes) -> None:
        if self._body is None:  # already refused
            return
        self._body += chunk
        if len(self._body) > self.body_limit:
            self._refuse_body()

    def _refuse_body(self) -> None:
        self._body = None
        error = BodyTooLarge(f"The request body is over the limit of {self.body_limit} bytes.")
        self.send_error(413, exc_info=(BodyTooLarge, error, None))

    @property
    def body(self) -> bytes:
        """The request body, whole (a handler method runs only once it has all arrived)."""
        return bytes(self._body or b"")

    @property
    def store(self):
        store = self.settings["mlops_lab_store"]
        if isinstance(store, Exception):  # the store could not be opened at start
            raise type(store)(str(store))
        return store

    @property
    def services(self):
        """The parts' services of the server's store (mlops_lab.services), each built once;
        MlopsLabApp.service_classes replaces a part."""
        self.store  # noqa: B018 - raises why the store could not be opened at start, if it was not
        return self.settings["mlops_lab_services"]

    @property
    def tracking(self):
        return self.services.tracking

    def json_body(self) -> dict:
        """The request's JSON object; anything else is a clear 400."""
        try:
            doc = json.loads(self.body or b"{}")
        except (ValueError, RecursionError):
            raise InvalidInput("The request body is not valid JSON.") from None
        if not isinstance(doc, dict):
            raise InvalidInput("The request body must be a JSON object.")
        return doc

    def search_text(self, name: str = "q") -> str:
        """A search text from the query string, as sent: tornado's get_argument would drop
        control characters silently (and so shorten a text past its limit); they are refused."""
        values = self.request.query_arguments.get(name)
        text = values[-1].decode("utf-8", "replace").strip() if values else ""
        if any(ord(c) < 32 or ord(c) == 127 for c in text):
            raise InvalidInput(f"{name} must be text without control characters.")
        return text

    def user_name(self) -> str:
        """Who asks, recorded wherever a "who" is kept (the rule: server/identity.py)."""
        return jupyter_user_name(self.identity_provider, self.current_user)

    async def call(self, fn, *args, **kwargs):
        """Database and file work runs in a thread so the event loop keeps serving."""
        return await asyncio.to_thread(fn, *args, **kwargs)

    def reply(self, doc: Any) -> None:
        self.finish(to_json_text(doc))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = (kwargs.get("exc_info") or (None, None, None))[1]
        status, body = error_body(status_code, exc)
        self.set_status(status)
        if status == 405:  # RFC 9110: a 405 says which methods the route does take
            self.set_header("Allow", ", ".join(allowed_methods(type(self))))
        self.finish(to_json_text(body))

    def log_exception(self, typ, value, tb) -> None:
        # The request line may carry ?token=…: log it scrubbed, never tornado's raw summary.
        where = f"{self.request.method} {_scrub_uri(self.request.uri)}"
        if isinstance(value, tornado.web.HTTPError):
            if value.log_message:  # the status line itself is logged by jupyter-server
                self.log.warning("%d %s: %s", value.status_code, where, value.log_message)
        elif status_of(value) is not None and not isinstance(value, SchemaError):
            self.log.info("%s: %s: %s", where, type(value).__name__, value)
        else:
            self.log.error("Uncaught error in %s", where, exc_info=(typ, value, tb))


def allowed_methods(handler: type) -> list[str]:
    """The HTTP methods a handler class implements itself."""
    return [m for m in handler.SUPPORTED_METHODS
            if getattr(handler, m.lower(), None) is not getattr(tornado.web.RequestHandler,
                                                                m.lower(), None)]


def whole_number(text: str, name: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {text[:50]!r}.") from None



def attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace('"', "_").replace("\\", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
