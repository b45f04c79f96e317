"""`mlops-lab package name@alias -o DIR`: a container build context for one model version.

    DIR/Dockerfile          python slim base, pip install -r requirements.txt, EXPOSE, CMD
    DIR/requirements.txt    the version's recorded packages plus the serving stack, pinned
                            (with --runtime onnx: onnxruntime, numpy and the serving stack
                            only: no scikit-learn, no pandas)
    DIR/model.skops         the model file, byte for byte as registered (model.onnx, the
                            version's verified ONNX file, with --runtime onnx)
    DIR/model.json          name, version, signature, the reviewed skops types
    DIR/serve.py            the entrypoint: python serve.py [--host] [--port]
    DIR/serving_runtime/    the model server's code, copied from mlops_lab/serving/runtime,
                            and mlops_lab/skops_import.py (the image keeps skops's list of
                            scikit-learn estimators, so a container starts as fast as serve)

The container runs the very server code `mlops-lab serve` runs; it needs no store and no
mlops_lab. Its prediction log goes to stdout as JSON lines, for the platform's log collector.
The folder is assembled beside DIR (whose missing parent folders are made) and renamed into
place, so DIR is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from ..errors import InvalidInput

RUNTIME = Path(__file__).with_name("runtime")
SKOPS_IMPORT = Path(__file__).parent.parent / "skops_import.py"
# The server's own packages, pinned to the versions this mlops-lab runs with.
SERVING_STACK = ("starlette", "uvicorn", "httptools", "uvloop", "prometheus-client", "anyio", "h11")
# What every skops model file needs to load, whatever the version recorded.
MODEL_STACK = ("scikit-learn", "skops", "numpy", "scipy", "pandas")
# What an ONNX file needs: onnxruntime (and the numpy it feeds), nothing of scikit-learn.
ONNX_STACK = ("onnxruntime", "numpy")
PORT = 8080

DOCKERFILE = """\
# Model server for {ref} (built by `mlops-lab package`).
FROM python:{python}-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/model
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY serving_runtime/ serving_runtime/
COPY model.json {model_file} serve.py ./
RUN useradd --system --no-create-home model \\
    && mkdir -m 700 /srv/model/.cache && chown model /srv/model/.cache
USER model
{warm_up}EXPOSE {port}
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/health')"
CMD ["python", "serve.py", "--host", "0.0.0.0", "--port", "{port}"]
"""

# skops lists scikit-learn's estimators when imported: done once at build, not at every start.
SKOPS_WARM_UP = """\
ENV XDG_CACHE_HOME=/srv/model/.cache
RUN python -c "from serving_runtime.skops_import import skops_io; skops_io()"
"""

ENTRYPOINT = '''\
"""Serves the model version in this folder: python serve.py [--host H] [--port P] [--workers N]
[--probabilities]

POST /predict, GET /health, /metadata, /metrics (see serving_runtime/app.py).
"""

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# --probabilities, for the worker processes too (they build the app from `app()`)
PROBABILITIES = "SERVE_PROBABILITIES"


def load_predictor():
    from serving_runtime.predictor import Predictor

    meta = json.loads((HERE / "model.json").read_text(encoding="utf-8"))
    data = (HERE / meta["file"]).read_bytes()
    if meta["format"] == "onnx":  # onnxruntime only: scikit-learn is not even installed
        import hashlib

        from serving_runtime.onnx_model import OnnxModel

        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            sys.exit(f"Refusing to load {meta['file']}: it is not the file this folder was "
                     "built with (its SHA-256 differs from model.json's).")
        return Predictor(meta["name"], meta["version"], OnnxModel(data), meta["signature"])
    from serving_runtime.skops_import import skops_io

    skops = skops_io()
    # Only the types reviewed when the version was registered may be loaded.
    found = sorted(skops.get_untrusted_types(data=data))
    if found != sorted(meta["trusted_types"]):
        sys.exit(f"Refusing to load {meta['file']}: it holds types that were not reviewed "
                 f"at registration ({sorted(set(found) - set(meta['trusted_types']))}).")
    model = skops.loads(data, trusted=meta["trusted_types"])
    return Predictor(meta["name"], meta["version"], model, meta["signature"])


def app():
    from serving_runtime.app import ModelHolder, build_app
    from serving_runtime.errors import RequestError
    from serving_runtime.prediction_log import PredictionLog, json_lines_sink

    predictor = load_predictor()
    probabilities = os.environ.get(PROBABILITIES) == "1"
    if probabilities:
        try:
            predictor.check_probabilities()
        except RequestError as exc:
            sys.exit(str(exc))
    return build_app(ModelHolder(predictor), probabilities=probabilities,
                     prediction_log=PredictionLog(json_lines_sink(sys.stdout)))


def main():
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default={port})
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--probabilities", action="store_true",
                        help="answer with class probabilities unless a request says false")
    args = parser.parse_args()
    if args.probabilities:
        os.environ[PROBABILITIES] = "1"
    sys.path.insert(0, str(HERE))
    options = dict(host=args.host, port=args.port, access_log=False,
                   timeout_graceful_shutdown=10)
    if args.workers > 1:
        from serving_runtime.metrics import shared_between_workers

        with shared_between_workers():  # /metrics adds up every worker's counts
            uvicorn.run("serve:app", factory=True, workers=args.workers, app_dir=str(HERE),
                        **options)
    else:
        uvicorn.run(app(), **options)


if __name__ == "__main__":
    main()
'''


def _installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def requirements_for(recorded: dict[str, str], runtime: str = "skops") -> list[str]:
    """`name==version` lines: what the version recorded, then the serving stack as installed
    here; a package the version recorded keeps the recorded version. With the onnx runtime
    only onnxruntime, numpy and the serving stack (the model's own packages are not needed)."""
    pins: dict[str, str] = {}
    if runtime == "onnx":
        recorded = {"numpy": (recorded or {}).get("numpy")}
    for name, version in (recorded or {}).items():
        if name != "python" and version:
            pins[name.lower()] = version
    for name in (ONNX_STACK if runtime == "onnx" else MODEL_STACK) + SERVING_STACK:
        if name.lower() not in pins and (version := _installed(name)):
            pins[name.lower()] = version
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def build_context(version, model_bytes: bytes, out_dir, runtime: str = "skops") -> dict:
    """Writes the build context of `version` (a registry ModelVersion) to `out_dir`;
    `model_bytes` is its skops file, or its verified ONNX file when `runtime` is "onnx"."""
    if runtime not in ("skops", "onnx"):
        raise InvalidInput(f"A container context is built for --runtime skops or onnx, not "
                           f"{runtime!r}.")
    if runtime == "skops" and version.format != "skops":
        raise InvalidInput(f"Model version {version.ref} is saved with {version.format}; a "
                           "container context is built only for skops models (pickle would "
                           "run code when the container starts). Register it with skops.")
    python = ".".join((version.requirements or {}).get("python", "3.11").split(".")[:2])
    requirements = requirements_for(version.requirements, runtime)
    onnx = runtime == "onnx"
    model_file = "model.onnx" if onnx else "model.skops"
    meta = {"name": version.name, "version": version.version, "ref": version.ref,
            "file": model_file, "format": "onnx" if onnx else version.format,
            "trusted_types": [] if onnx else sorted(version.trusted_types or []),
            "signature": version.signature or {}, "requirements": version.requirements or {},
            "model_class": version.model_class}
    if onnx:
        meta["sha256"] = hashlib.sha256(model_bytes).hexdigest()

    def write(staging: Path) -> None:
        (staging / "Dockerfile").write_text(DOCKERFILE.format(
            ref=version.ref, python=python, model_file=model_file, port=PORT,
            warm_up="" if onnx else SKOPS_WARM_UP))
        (staging / "requirements.txt").write_text("\n".join(requirements) + "\n")
        (staging / model_file).write_bytes(model_bytes)
        (staging / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
        (staging / "serve.py").write_text(ENTRYPOINT.replace("{port}", str(PORT)))
        folder = staging / "serving_runtime"
        folder.mkdir()
        for source in [*sorted(RUNTIME.glob("*.py")), *([] if onnx else [SKOPS_IMPORT])]:
            shutil.copyfile(source, folder / source.name)
        (staging / ".dockerignore").write_text("**/__pycache__\n")

    target = write_folder(out_dir, write)
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    return {"ref": version.ref, "output": str(target), "files": files, "runtime": runtime,
            "requirements": requirements, "python": python, "port": PORT}


def write_folder(out_dir, write) -> Path:
    """Calls `write(folder)` on a folder beside `out_dir` and renames it into place, so
    `out_dir` (new or empty; missing parents are made) is whole or absent."""
    target = Path(out_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(f"{str(target)!r} already exists and is not an empty folder; choose "
                           "a new output folder.")
    try:  # "a new folder": its missing parents are made, like mkdir -p
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InvalidInput(f"Cannot make the folder {str(target.parent)!r}: part of that path "
                           "is a file. Choose another output folder.") from None
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        write(staging)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
