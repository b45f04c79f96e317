"""The Python API of serving (also as `ml.<name>`)."""

from __future__ import annotations

from .service import ServingService


def service() -> ServingService:
    """The ServingService of the store the environment and working directory name."""
    from ..services import services

    return services().serving


def score_file(ref: str, input_path, output_path, *, chunk_rows: int | None = None,
               progress: bool = True, probabilities: bool = False):
    """Scores a CSV or Parquet file with a model version into a Parquet file of the inputs
    plus the predictions: `score_file("churn@champion", "in.csv", "out.parquet")`;
    `probabilities=True` adds a classifier's `probability_<class>` columns."""
    return service().score_file(ref, input_path, output_path, chunk_rows=chunk_rows,
                                progress=progress, probabilities=probabilities)


def package_model(ref: str, out_dir, runtime: str = "skops", edge: bool = False) -> dict:
    """Writes a container build context (Dockerfile, requirements, model, entrypoint) to
    `out_dir`, a new or empty folder (missing parent folders are made). `runtime="onnx"`
    serves the version's verified ONNX file (no scikit-learn in the image); `edge=True`
    writes the ONNX file, its signature, the model card and an example client instead."""
    return service().package(ref, out_dir, runtime=runtime, edge=edge)


def prediction_logs(name: str, version: int | None = None, limit: int = 1000) -> list[dict]:
    """What the model server answered for a model (a version), oldest first."""
    return service().prediction_logs(name, version, limit=limit)
