"""The model server's start: the version is read from the store in a helper process while this
process imports the model's libraries, and the store is opened here only once serving.

Nearly all of a start is imports: scikit-learn and skops for the model, SQLAlchemy for the
store. Python imports one module at a time per process, so the store lookup (its imports, the
query and the model file) runs in a short-lived helper process on another core, and this
process opens the store for itself later, from the prediction log's writer or the alias
watcher, after the first requests were answered.
"""

from __future__ import annotations

import multiprocessing

from ..errors import MlopsLabError
from .runtime.predictor import Predictor  # noqa: F401 - the type load_at_start gives


def load_at_start(ref: str, allow_pickle: bool = False, runtime: str = "skops") -> Predictor:
    """The version `ref` names, loaded safely, as `ServingService.load_predictor` would.
    With the onnx runtime only onnxruntime is imported here, never scikit-learn."""
    from .loading import RUNTIMES, make_predictor

    if runtime not in RUNTIMES:
        raise MlopsLabError(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}.")
    answers, send = multiprocessing.Pipe(duplex=False)
    helper = multiprocessing.Process(target=_read_version, args=(ref, allow_pickle, runtime,
                                                                 send),
                                     name="mlops-lab-serve-lookup", daemon=True)
    helper.start()
    send.close()
    try:
        _import_runtime(runtime)  # the model's libraries, imported while the helper reads
        try:
            answer = answers.recv()
        except EOFError:
            helper.join()  # its exit code is known only once it is reaped
            raise MlopsLabError(f"Could not read {ref!r} from the store: the process reading "
                                f"it ended with exit code {helper.exitcode}.") from None
    finally:
        answers.close()
        helper.join()
    if isinstance(answer, BaseException):
        raise answer
    version, kind, data = answer
    return make_predictor(version, kind, data, allow_pickle)


def _import_runtime(runtime: str) -> None:
    if runtime == "onnx":
        import onnxruntime  # noqa: F401
    else:  # skops, or auto (most versions have no ONNX file): scikit-learn's stack
        from ..skops_import import skops_io

        skops_io()


def _read_version(ref: str, allow_pickle: bool, runtime: str, send) -> None:
    """In the helper process: (version, "onnx" | "skops", file bytes), or the error to raise
    instead."""
    try:
        from ..services import services
        from .loading import read_model_file

        answer = read_model_file(services().models, ref, runtime, allow_pickle)
    except Exception as exc:  # the server raises it: same message as a lookup in-process
        answer = exc
    try:
        send.send(answer)
    except Exception as exc:  # an error that cannot cross processes: send what it said
        send.send(MlopsLabError(f"{type(answer).__name__}: {answer} ({exc})"))
    finally:
        send.close()


class LazyServingService:
    """The serving service over the store, opened on first use (by the prediction log's
    writer thread or the alias watcher), so opening the store is not part of the start."""

    def get(self):
        from ..services import services

        return services().serving

    def write_prediction_logs(self, rows: list[dict]) -> None:
        self.get().write_prediction_logs(rows)
