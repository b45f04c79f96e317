"""Model files: skops by default, pickle only by explicit opt-in, on both sides.

Saving with skops records the types skops does not trust by itself (`get_untrusted_types` of
the bytes just made from the live object); that reviewed list is stored with the version, and
with a run's model file (its artifact row). A list is never taken from a file read back: a
run's file is registered only if the types it holds were reviewed when it was saved, or the
user accepts them by name. Loading asks the file again and refuses unless
the answer equals the stored list exactly, then loads trusting only that list: a file swapped
for one carrying any other type is refused before anything of it runs.

Pickle executes code while loading, so a pickled version loads only when the caller says
`allow_pickle=True`; without it the bytes are never handed to the unpickler.
"""

from __future__ import annotations

import io
import pickle

from ..errors import InvalidInput
from ..skops_import import skops_io
from ..tracking.capture_models import serialize_estimator

FORMATS = ("skops", "pickle")


def dump(model, serialization: str = "skops") -> tuple[bytes, str, list[str]]:
    """(bytes, format, trusted types) of `model`."""
    if serialization == "skops":
        try:
            data, trusted = serialize_estimator(model)
        except Exception as exc:  # skops cannot save every object; say what to do
            raise InvalidInput(
                f"skops cannot save this {type(model).__name__}: {type(exc).__name__}: {exc}. "
                "If you trust everyone who will load it, register it with "
                "serialization='pickle' (loading then needs allow_pickle=True)."
            ) from None
        return data, "skops", trusted
    if serialization in ("pickle", "joblib"):
        buffer = io.BytesIO()
        pickle.dump(model, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue(), "pickle", []
    raise InvalidInput(f"serialization must be 'skops' (the default) or 'pickle', not "
                       f"{serialization!r}.")


def untrusted_types(data: bytes) -> list[str]:
    skops = skops_io()
    try:
        return sorted(skops.get_untrusted_types(data=data))
    except Exception as exc:
        raise InvalidInput(f"This is not a readable skops model file ({type(exc).__name__}: "
                           f"{exc}).") from None


def unreviewed_types(data: bytes, reviewed: list[str] | None, accepted=(),
                     what: str = "this file") -> list[str]:
    """The types `data` holds beyond skops's defaults, once each is either in `reviewed` (the
    list stored when the file was saved; None for a file no reviewing code saved) or in
    `accepted` (types the user has just reviewed and trusts). Otherwise InvalidInput names
    the types that are neither, and how to accept them. Only the file's list of types is
    read here; nothing of it is imported or run."""
    found = untrusted_types(data)
    unknown = sorted(set(found) - set(reviewed or ()) - set(accepted or ()))
    if unknown:
        origin = ("they are not among the types reviewed when it was saved"
                  if reviewed is not None else
                  "it was not saved by a tracked cell or register_model, so none of its types "
                  "were reviewed")
        raise InvalidInput(
            f"Refusing {what}: it holds types that loading would import and run, and "
            f"{origin}: {', '.join(unknown)}. Only if you trust where the file came from and "
            "have checked these types, accept them with trusted_types=[...] (CLI: --trust "
            "TYPE for each)."
        )
    return found


def load_bytes(data: bytes, format: str, trusted_types: list[str], allow_pickle: bool = False,
               what: str = "this model version"):
    """The model in `data`, after the checks above; InvalidInput when refused."""
    if format == "skops":
        found = untrusted_types(data)
        stored = sorted(trusted_types)
        if found != stored:
            unexpected = sorted(set(found) - set(stored))
            raise InvalidInput(
                f"Refusing to load {what}: its file holds types that were not reviewed when it "
                f"was registered ({', '.join(unexpected) or 'a different set of types'}). "
                "Register the model again from a trusted source: from its run's file with "
                "trusted_types=[...] naming these types once you have checked them (CLI: "
                "mlops-lab models register RUN PATH NAME --trust TYPE)."
            )
        try:
            return skops_io().loads(data, trusted=stored)
        except Exception as exc:
            raise InvalidInput(f"Could not load {what}: {type(exc).__name__}: {exc}") from None
    if format == "pickle":
        if allow_pickle is not True:
            raise InvalidInput(
                f"Refusing to load {what}: it was saved with pickle, which runs code while "
                "loading. Load it with allow_pickle=True only if you trust whoever registered "
                "it (CLI: --allow-pickle)."
            )
        return pickle.loads(data)  # noqa: S301 - the caller opted in explicitly
    raise InvalidInput(f"Refusing to load {what}: unknown model format {format!r}.")
