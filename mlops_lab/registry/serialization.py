"""Model files: skops by default, pickle only by explicit opt-in, on both sides.

Saving with skops records the types skops does not trust by itself (`get_untrusted_types`);
that reviewed list is stored with the version. Loading asks the file again and refuses unless
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

FORMATS = ("skops", "pickle")


def dump(model, serialization: str = "skops") -> tuple[bytes, str, list[str]]:
    """(bytes, format, trusted types) of `model`."""
    if serialization == "skops":
        try:
            data = skops_io().dumps(model)
        except Exception as exc:  # skops cannot save every object; say what to do
            raise InvalidInput(
                f"skops cannot save this {type(model).__name__}: {type(exc).__name__}: {exc}. "
                "If you trust everyone who will load it, register it with "
                "serialization='pickle' (loading then needs allow_pickle=True)."
            ) from None
        return data, "skops", untrusted_types(data)
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
                "Register the model again from a trusted source."
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
