"""The one mapping from errors to HTTP responses for the REST API.

Domain errors carry a message written for the user, so it is sent as is. Anything else is a
fault of ours: the client gets a fixed message (an exception's text may quote a database URI or
a request) and the server log gets the traceback with the request's secrets scrubbed.
"""

from __future__ import annotations

from http.client import responses

from tornado.web import HTTPError

from ..errors import Conflict, InvalidInput, MlopsLabError, NotFound, SchemaError, StoreBusy


class BodyTooLarge(InvalidInput):
    """A request body over the route's limit (refused before it is read whole)."""


# Most specific first: the first class the exception is an instance of decides.
STATUS = (
    (BodyTooLarge, 413),
    (InvalidInput, 400),
    (NotFound, 404),
    (Conflict, 409),
    (StoreBusy, 503),
    (SchemaError, 500),
)

# The "error" word for responses that come from tornado or jupyter-server (routing, auth).
_HTTP_NAMES = {400: "InvalidInput", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
               409: "Conflict", 503: "StoreBusy"}

# What to do, for the errors jupyter-server raises without a message of its own.
_HINTS = {
    403: "Not allowed: send the Jupyter server's token in an 'Authorization: token …' header, "
         "or log in to the server first.",
    405: "This route does not accept that method; see /mlops-lab/api/openapi.json.",
}

INTERNAL_MESSAGE = (
    "The server failed to handle this request. The details are in the Jupyter server log; "
    "if the problem persists, report it with that log."
)


def status_of(exc: BaseException) -> int | None:
    """The status a domain error maps to, or None for anything that is not one."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500 if isinstance(exc, MlopsLabError) else None


def error_body(status: int, exc: BaseException | None) -> tuple[int, dict]:
    """The status and JSON body for `exc` (None when tornado raised no exception)."""
    domain = status_of(exc) if exc is not None else None
    if domain is not None:
        body = {"error": type(exc).__name__, "message": str(exc)}
        # Some errors say where (a filter's column), so a client can point at it.
        return domain, {**body, **(exc.details() if hasattr(exc, "details") else {})}
    if isinstance(exc, HTTPError):
        status = exc.status_code
    elif exc is not None or status >= 500:
        return 500 if exc is not None else status, {"error": "InternalError",
                                                     "message": INTERNAL_MESSAGE}
    name = _HTTP_NAMES.get(status) or responses.get(status, "Error").replace(" ", "")
    return status, {"error": name, "message": _http_message(status, exc)}


def _http_message(status: int, exc: HTTPError | None) -> str:
    """The text tornado or jupyter-server gave the error, else what to do about it."""
    if exc is not None and exc.log_message:
        try:
            return exc.log_message % exc.args if exc.args else exc.log_message
        except (TypeError, ValueError):
            return exc.log_message
    reason = exc.reason if exc is not None else None
    return _HINTS.get(status) or reason or responses.get(status, "Error")
