"""`mlops-lab package name@alias --edge -o DIR`: a model version for a device without a
server: its verified ONNX file and what a program needs to call it, nothing else.

    DIR/model.onnx          the version's ONNX file, byte for byte as verified
    DIR/signature.json      name, version, input columns and dtypes, how the file takes them
                            (one float matrix, or one input per column), outputs, classes
    DIR/MODEL_CARD.md       the version's model card (with its ONNX verification figures)
    DIR/client.py           an example client: Python and onnxruntime only
    DIR/requirements.txt    onnxruntime (and numpy, which it brings), pinned
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from .package import write_folder

CLIENT = '''\
"""Scores rows with model.onnx, using nothing but onnxruntime (and numpy, which it brings).

    python client.py '{"records": [{"column": value, ...}]}'
    python client.py rows.json          (the same JSON in a file)

The inputs are fed as signature.json says: one float matrix "input" ("matrix" layout), or one
[N, 1] input per column, float for numbers and text as strings ("columns" layout).
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

HERE = Path(__file__).resolve().parent


def load():
    signature = json.loads((HERE / "signature.json").read_text(encoding="utf-8"))
    data = (HERE / "model.onnx").read_bytes()
    if hashlib.sha256(data).hexdigest() != signature["sha256"]:
        sys.exit("model.onnx is not the file this folder was made with (SHA-256 differs).")
    return signature, ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def feeds(signature, records):
    columns = signature["inputs"]
    missing = [c["name"] for c in columns if any(c["name"] not in r for r in records)]
    if missing:
        sys.exit(f"Every record needs the columns {missing}.")
    if signature["layout"] == "matrix":
        return {"input": np.array([[float(r[c["name"]]) for c in columns] for r in records],
                                  dtype=np.float32)}
    out = {}
    for c in columns:
        values = [r[c["name"]] for r in records]
        out[c["name"]] = (np.array(values, dtype=np.float32) if c["numeric"]
                          else np.array([str(v) for v in values], dtype=object)).reshape(-1, 1)
    return out


def predict(records):
    signature, session = load()
    outputs = session.run(None, feeds(signature, records))
    labels = np.asarray(outputs[0])
    if labels.ndim == 2 and labels.shape[1] == 1:  # a regressor's [N, 1] values
        labels = labels.reshape(-1)
    answer = {"predictions": labels.tolist()}
    if signature.get("classes") is not None and len(outputs) > 1:
        answer["classes"] = signature["classes"]
        answer["probabilities"] = np.asarray(outputs[1]).tolist()
    return answer


if __name__ == "__main__":
    text = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    if not text.lstrip().startswith("{"):
        text = Path(text).read_text(encoding="utf-8")
    print(json.dumps(predict(json.loads(text)["records"])))
'''


def build_edge(version, onnx_bytes: bytes, out_dir) -> dict:
    """Writes the edge folder of `version` (with its ONNX record) to `out_dir`."""
    from ..models.onnx_export import is_numeric

    record = version.onnx
    signature = {
        "name": version.name, "version": version.version, "ref": version.ref,
        "model_class": version.model_class, "layout": record["layout"],
        "inputs": [{"name": c["name"], "dtype": c["dtype"], "numeric": is_numeric(c["dtype"])}
                   for c in version.signature["inputs"]],
        "outputs": record["outputs"], "classes": _classes(onnx_bytes),
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(), "opset": record["opset"],
        "verification": record["verification"]}
    pins = [f"{name}=={metadata.version(name)}" for name in ("onnxruntime", "numpy")]

    def write(folder: Path) -> None:
        (folder / "model.onnx").write_bytes(onnx_bytes)
        (folder / "signature.json").write_text(json.dumps(signature, indent=2) + "\n")
        (folder / "MODEL_CARD.md").write_text(version.card, encoding="utf-8")
        (folder / "client.py").write_text(CLIENT)
        (folder / "requirements.txt").write_text("\n".join(pins) + "\n")

    target = write_folder(out_dir, write)
    return {"ref": version.ref, "output": str(target), "runtime": "onnx", "edge": True,
            "files": sorted(p.name for p in target.iterdir()), "requirements": pins}


def _classes(onnx_bytes: bytes):
    """A classifier's classes, as the file itself records them (None for a regressor)."""
    from .runtime.onnx_model import OnnxModel

    model = OnnxModel(onnx_bytes)
    classes = getattr(model, "classes_", None)
    return None if classes is None else classes.tolist()
