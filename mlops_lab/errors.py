"""Errors a user can cause, each with a message that says what was wrong and what to do.

Entry points map these to their own surface (REST status codes, CLI exit codes, magic output);
one mapping per surface, never a traceback from deep inside.
"""


class MlopsLabError(Exception):
    """Base of every error mlops-lab raises on purpose."""


class InvalidInput(MlopsLabError, ValueError):
    """The caller passed something malformed (bad name, bad filter, bad value)."""


class NotFound(MlopsLabError, LookupError):
    """The thing asked for does not exist."""


class Conflict(MlopsLabError):
    """The request contradicts what is stored (a param logged twice with different values)."""


class StoreBusy(MlopsLabError):
    """Another process held the store's write lock for longer than the busy timeout."""


class SchemaError(MlopsLabError):
    """The database schema is not one this version of mlops-lab can use."""
