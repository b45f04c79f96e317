"""Which file of a model version a server loads (`--runtime onnx|skops|auto`), and the
predictor made from it.

- skops: the version's model file, with scikit-learn (the default);
- onnx: the version's verified ONNX file, with onnxruntime only: scikit-learn is never
  imported, so a server starts in a fraction of the time. A version without one is refused;
- auto: the ONNX file when the version has a verified one, else the skops file (said in the
  log).
The ONNX file is only ever the store's own content-addressed blob recorded on the version,
checked against its hash (ModelService.onnx_file).
"""

from __future__ import annotations

import logging

from ..errors import InvalidInput
from .runtime.predictor import Predictor

RUNTIMES = ("skops", "onnx", "auto")
log = logging.getLogger("mlops_lab.serving")


def has_verified_onnx(version) -> bool:
    onnx = version.onnx or {}
    return bool((onnx.get("verification") or {}).get("passed"))


def choose_runtime(version, runtime: str) -> str:
    """"onnx" or "skops" for `version` under the server's `runtime` setting."""
    if runtime not in RUNTIMES:
        raise InvalidInput(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}.")
    if has_verified_onnx(version) and runtime in ("onnx", "auto"):
        return "onnx"
    if runtime == "onnx":
        raise InvalidInput(f"Model version {version.ref} has no verified ONNX file, so it "
                           f"cannot be served with --runtime onnx. Export it first (mlops-lab "
                           f"models export {version.ref} --format onnx) or serve it with "
                           "--runtime auto or skops.")
    if runtime == "auto":
        log.info("mlops-lab: model version %s has no verified ONNX file; serving it with "
                 "skops", version.ref)
    return "skops"


def read_model_file(models, ref: str, runtime: str, allow_pickle: bool = False):
    """(version, "onnx" | "skops", the file's bytes) of the version `ref` names."""
    version = models.resolve(ref)
    kind = choose_runtime(version, runtime)
    if kind == "onnx":
        version, data = models.onnx_file(version.ref)
    else:
        version, data = models.read(version.ref, allow_pickle)
    return version, kind, data


def make_predictor(version, kind: str, data: bytes, allow_pickle: bool = False) -> Predictor:
    """The predictor of a file read by `read_model_file` (imports only what `kind` needs)."""
    if kind == "onnx":
        from .runtime.onnx_model import OnnxModel

        model = OnnxModel(data)
    else:
        from ..models import serialization

        model = serialization.load_bytes(data, version.format, version.trusted_types,
                                         allow_pickle=allow_pickle,
                                         what=f"model version {version.ref}")
    return Predictor(version.name, version.version, model, version.signature or {})
