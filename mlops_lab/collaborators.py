"""A service's collaborators: the services of other parts it asks (the registry asks tracking
for the run a version came from). Each is the one handed to the service's constructor, or else
the composition root's (`mlops_lab.services`) for the same store, so no service builds another.

    class ModelService:
        tracking = Collaborator("tracking")

        def __init__(self, store, tracking=None):
            self.store, self._tracking = store, tracking
"""

from __future__ import annotations


class Collaborator:
    """The part `part` ("tracking", "models", ...) of the owner's store, found on first use and
    kept in the owner's attribute `_<name>` (where the constructor put one it was handed)."""

    def __init__(self, part: str):
        self.part = part

    def __set_name__(self, owner, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, service, owner=None):
        if service is None:
            return self
        found = getattr(service, self.slot, None)
        if found is None:
            from .services import services_for

            found = getattr(services_for(service.store), self.part)
            setattr(service, self.slot, found)
        return found
