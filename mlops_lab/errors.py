"""Errors a user can cause, each with a message that says what was wrong and what to do.

Entry points map these to their own surface (REST status codes, CLI exit codes, magic output);
one mapping per surface, never a traceback from deep inside.
"""


class MlopsLabError(Exception):
    """Base of every error mlops-lab raises on purpose."""


class InvalidInput(MlopsLabError, ValueError):
    """The caller passed something malformed (bad name, bad filter, bad value)."""


class InvalidFilter(InvalidInput):
    """A run filter that does not parse or names an unknown field, with where: the 1-based
    `column` and `length` of the part at fault, and `suggestion`, the field most likely meant
    (`metrics.acc` for a bare `acc`) when one is known."""

    def __init__(self, message: str, column: int, length: int = 1,
                 key: str | None = None, suggestion: str | None = None):
        super().__init__(message)
        self.column, self.length, self.key, self.suggestion = column, max(length, 1), key, suggestion

    def details(self) -> dict:
        """What the REST error body says besides the message."""
        found = {"column": self.column, "length": self.length}
        return {**found, "suggestion": self.suggestion} if self.suggestion else found


class NotFound(MlopsLabError, LookupError):
    """The thing asked for does not exist."""


class Conflict(MlopsLabError):
    """The request contradicts what is stored (a param logged twice with different values)."""


class StoreBusy(MlopsLabError):
    """Another process held the store's write lock for longer than the busy timeout."""


class SchemaError(MlopsLabError):
    """The database schema is not one this version of mlops-lab can use."""
