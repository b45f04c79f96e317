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


class Lookup:
    """The version being read from the store in a helper process: started as early as the
    server can (before it imports its web stack), collected by `load_at_start`."""

    def __init__(self, ref: str, allow_pickle: bool = False, runtime: str = "skops"):
        from .loading import RUNTIMES

        if runtime not in RUNTIMES:
            raise MlopsLabError(f"runtime must be one of {', '.join(RUNTIMES)}, "
                                f"not {runtime!r}.")
        self.ref, self.allow_pickle, self.runtime = ref, allow_pickle, runtime
        self._answers, send = multiprocessing.Pipe(duplex=False)
        self._helper = multiprocessing.Process(
            target=_read_version, args=(ref, allow_pickle, runtime, send),
            name="mlops-lab-serve-lookup", daemon=True)
        self._helper.start()
        send.close()

    def answer(self):
        """(version, kind, file bytes) as the helper read them, or its error raised."""
        try:
            try:
                answer = self._answers.recv()
            except EOFError:
                self._helper.join()  # its exit code is known only once it is reaped
                raise MlopsLabError(f"Could not read {self.ref!r} from the store: the process "
                                    f"reading it ended with exit code "
                                    f"{self._helper.exitcode}.") from None
        finally:
            self._answers.close()
            self._helper.join()
        if isinstance(answer, BaseException):
            raise answer
        return answer


def load_at_start(ref: str, allow_pickle: bool = False, runtime: str = "skops",
                  lookup: Lookup | None = None) -> Predictor:
    """The version `ref` names, loaded safely, as `ServingService.load_predictor` would (read
    by `lookup` when one was started already). With the onnx runtime only onnxruntime is
    imported here, never scikit-learn."""
    from .loading import make_predictor

    lookup = lookup or Lookup(ref, allow_pickle, runtime)
    _import_runtime(lookup.runtime)  # the model's libraries, imported while the helper reads
    version, kind, data = lookup.answer()
    return make_predictor(version, kind, data, lookup.allow_pickle)


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
