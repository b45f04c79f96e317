"""An ONNX model file scored with onnxruntime, shaped like the scikit-learn model it came from
(`predict`, `predict_proba`, `classes_`), so the Predictor serves it the same way.

It needs onnxruntime and numpy only: never scikit-learn, never pandas. Everything it needs
to feed the graph is in the file's own metadata, written at export (mlops_lab/models/
onnx_export.py): the input layout, the columns in order and a classifier's classes.

    layout "matrix":  one float input "input", [N, columns] in the columns' order
    layout "columns": one input per column, [N, 1], float for numbers and string for text
"""

from __future__ import annotations

import json

MATRIX, COLUMNS = "matrix", "columns"
# Keys of the ONNX file's metadata_props.
META_LAYOUT, META_COLUMNS, META_CLASSES = "mlops_lab.layout", "mlops_lab.columns", \
    "mlops_lab.classes"
META_MODEL_CLASS = "mlops_lab.model_class"


class OnnxModel:
    # The Predictor hands this model its validated columns ({name: array}) as they are.
    takes_columns = True
    runtime = "onnx"

    def __init__(self, data: bytes):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initializers are not the user's
        self.session = ort.InferenceSession(data, sess_options=options,
                                            providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        self.layout = meta.get(META_LAYOUT, MATRIX)
        self.columns = [c["name"] for c in json.loads(meta.get(META_COLUMNS, "[]"))]
        self.numeric = {c["name"]: c["numeric"] for c in json.loads(meta.get(META_COLUMNS, "[]"))}
        self.model_class = meta.get(META_MODEL_CLASS)  # the scikit-learn class it came from
        classes = meta.get(META_CLASSES)
        self.outputs = [o.name for o in self.session.get_outputs()]
        if classes is not None:
            import numpy as np

            self.classes_ = np.asarray(json.loads(classes))

    def feeds(self, inputs) -> dict:
        """The graph's inputs from `inputs` (a mapping or DataFrame of column -> values)."""
        import numpy as np

        if self.layout == MATRIX:
            matrix = np.column_stack([np.asarray(inputs[c], dtype=np.float32)
                                      for c in self.columns])
            return {"input": matrix}
        feeds = {}
        for c in self.columns:
            values = np.asarray(inputs[c])
            if self.numeric[c]:
                feeds[c] = values.astype(np.float32).reshape(-1, 1)
            else:
                feeds[c] = np.array([str(v) for v in values], dtype=object).reshape(-1, 1)
        return feeds

    def run(self, inputs) -> dict:
        """{output name: array} of the graph for `inputs`."""
        return dict(zip(self.outputs, self.session.run(None, self.feeds(inputs))))

    def predict(self, inputs):
        out = self.session.run([self.outputs[0]], self.feeds(inputs))[0]
        return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 else out

    def predict_proba(self, inputs):
        if not hasattr(self, "classes_") or len(self.outputs) < 2:
            raise AttributeError("predict_proba")
        return self.session.run([self.outputs[1]], self.feeds(inputs))[0]
