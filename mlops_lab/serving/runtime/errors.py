"""The one error a prediction request can fail with: an HTTP status, a word and a message."""

from __future__ import annotations

try:  # inside mlops_lab: a domain error (the CLI exits 2, REST maps it)
    from ...errors import InvalidInput as _Base
except ImportError:  # copied into a container build context, without mlops_lab
    _Base = ValueError


class RequestError(_Base):
    """What was wrong with a request, said so the caller can fix it.

    `status`: 400 not JSON, 413 too large, 422 valid JSON that does not fit the model.
    """

    def __init__(self, message: str, status: int = 422, error: str = "InvalidInput"):
        super().__init__(message)
        self.status = status
        self.error = error

    def to_json(self) -> dict:
        return {"error": self.error, "message": str(self)}
