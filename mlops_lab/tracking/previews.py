"""What the run view shows of an artifact without downloading it, chosen by its name and media
type: the start of a text or JSON file, the first rows of a CSV or Parquet table, a plotly
figure (`ml.log_figure`), an image (its bytes come from the download route), a notebook
rendered as static HTML (shown in a sandboxed frame: its scripts never run), or a model file.
Each preview is bounded: a large file is cut, and says so."""

from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

from .entities import ArtifactInfo

TEXT_BYTES = 64 * 1024
TABLE_ROWS = 20
FIGURE_BYTES = 10 * 1024 * 1024
NOTEBOOK_BYTES = 20 * 1024 * 1024
TABLE_BYTES = 200 * 1024 * 1024
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml"}
TEXT_ENDINGS = (".txt", ".md", ".log", ".py", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sql",
                ".r", ".sh", ".xml", ".html", ".htm")
MODEL_ENDINGS = {".skops": "skops", ".onnx": "onnx", ".pkl": "pickle", ".pickle": "pickle",
                 ".joblib": "joblib"}


def kind_of(info: ArtifactInfo) -> str:
    name, media = info.path.lower(), (info.media_type or "").lower()
    if name.endswith(".plotly.json") or media == "application/vnd.plotly.v1+json":
        return "plotly"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith((".csv", ".tsv")):
        return "table"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".json") or media == "application/json":
        return "json"
    if _ending(name) in IMAGE_TYPES or media.startswith("image/"):
        return "image"
    if _ending(name) in MODEL_ENDINGS:
        return "model"
    if name.endswith(TEXT_ENDINGS) or media.startswith("text/"):
        return "text"
    return "none"


def preview(info: ArtifactInfo, stream: BinaryIO) -> dict[str, Any]:
    """The preview document of the artifact `info` whose bytes `stream` reads."""
    kind = kind_of(info)
    doc: dict[str, Any] = {"path": info.path, "size": info.size, "kind": kind}
    if kind == "image":
        doc["media_type"] = IMAGE_TYPES.get(_ending(info.path.lower()), info.media_type)
    elif kind == "model":
        doc["format"] = MODEL_ENDINGS[_ending(info.path.lower())]
    elif kind == "text":
        doc.update(_text(stream))
    elif kind == "json":
        doc.update(_json(stream))
    elif kind == "plotly":
        doc.update(_bounded(stream, FIGURE_BYTES, "figure", lambda data: {
            "figure": json.loads(data)}))
    elif kind == "notebook":
        doc.update(_bounded(stream, NOTEBOOK_BYTES, "notebook", _notebook_html))
    elif kind in ("table", "parquet"):
        doc["kind"] = "table"
        doc.update(_bounded(stream, TABLE_BYTES, "table",
                            lambda data: _table(data, info.path.lower(), kind)))
    else:
        doc["message"] = "No preview for this kind of file: download it to open it."
    return doc


def _ending(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot >= 0 else ""


def _text(stream: BinaryIO) -> dict:
    data = stream.read(TEXT_BYTES + 1)
    cut = len(data) > TEXT_BYTES
    return {"text": data[:TEXT_BYTES].decode("utf-8", "replace"), "truncated": cut}


def _json(stream: BinaryIO) -> dict:
    data = stream.read(TEXT_BYTES + 1)
    if len(data) > TEXT_BYTES:  # too long to parse whole: its start, as written
        return {"kind": "text", "text": data[:TEXT_BYTES].decode("utf-8", "replace"),
                "truncated": True}
    try:
        text = json.dumps(json.loads(data), indent=2, ensure_ascii=False)
    except ValueError as exc:
        return {"kind": "text", "text": data.decode("utf-8", "replace"), "truncated": False,
                "message": f"Not valid JSON ({exc}); shown as text."}
    return {"text": text, "truncated": False}


def _bounded(stream: BinaryIO, limit: int, what: str, read) -> dict:
    """`read(bytes)` of the whole file, if it is at most `limit` bytes and reads; else why not."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        return {"kind": "none", "message": f"This {what} is over {limit // (1024 * 1024)} MB: "
                                           "download it to open it."}
    try:
        return read(data)
    except Exception as exc:  # a damaged file is said, not raised: the list stays usable
        return {"kind": "none", "message": f"This {what} could not be read: "
                                           f"{type(exc).__name__}: {str(exc)[:300]}"}


def _table(data: bytes, name: str, kind: str) -> dict:
    import pandas as pd

    if kind == "parquet":
        import pyarrow.parquet as pq

        file = pq.ParquetFile(io.BytesIO(data))
        total = file.metadata.num_rows
        first = next(file.iter_batches(batch_size=TABLE_ROWS), None)
        frame = first.to_pandas() if first is not None else file.schema_arrow.empty_table().to_pandas()
    else:
        frame = pd.read_csv(io.BytesIO(data), sep="\t" if name.endswith(".tsv") else ",",
                            nrows=TABLE_ROWS)
        total = None  # counting would read the whole file
    frame = frame.head(TABLE_ROWS)
    rows = json.loads(frame.to_json(orient="values", date_format="iso", default_handler=str))
    return {"columns": [str(c) for c in frame.columns], "rows": rows, "total_rows": total}


def _notebook_html(data: bytes) -> dict:
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    html, _ = HTMLExporter().from_notebook_node(notebook)
    return {"html": html}
