"""`mlops-lab serve`, `predict` and `package`: serve a model version over HTTP, score files
with it, or build a container context for it."""

from __future__ import annotations

import re
import sys

from ..services import services
from .options import positive_int

SERVE_EPILOG = """\
examples:
  mlops-lab serve churn@champion
  mlops-lab serve churn@champion --host 0.0.0.0 --port 8080 --workers 2
  mlops-lab serve churn/3                       (one fixed version: no hot swap)
  mlops-lab serve churn@champion --runtime onnx (its ONNX file: no scikit-learn, fast start)
  curl -s localhost:8080/predict -H 'Content-Type: application/json' \\
       -d '{"records": [{"age": 42, "plan": "pro"}]}'

routes: POST /predict ({"records": [...]} or {"columns": {...}}; every row gives every
column, null for a missing value; add "probabilities": true for a classifier's class
probabilities), GET /health, /metadata, /metrics (Prometheus). Serving an alias, the server
follows it: when the alias moves, the new version is loaded in the background and swapped in
without dropping a request.
Every answered prediction is logged to the store for monitoring (--no-log turns it off).
"""
PREDICT_EPILOG = """\
examples:
  mlops-lab predict churn@champion customers.csv -o scored.parquet
  mlops-lab predict churn/3 customers.parquet -o scored.parquet --chunk-rows 100000

The output holds every input column plus the prediction (and, with --probabilities, one
probability_<class> column per class); it is written whole or not at all.
"""
PACKAGE_EPILOG = """\
examples:
  mlops-lab package churn@champion -o build/churn
  mlops-lab package churn@champion --runtime onnx -o build/churn-onnx   (no scikit-learn)
  mlops-lab package churn@champion --edge -o build/churn-edge           (ONNX file + client)
  docker build -t churn build/churn && docker run -p 8080:8080 churn

The folder holds a Dockerfile, pinned requirements.txt, the model file and serve.py (the same
server as `mlops-lab serve`, without the store); it also runs without Docker:
  pip install -r build/churn/requirements.txt && python build/churn/serve.py --port 8080
"""


def register(commands, fmt) -> None:
    from .options import port, seconds

    serve = commands.add_parser(
        "serve", help="serve a model version over HTTP",
        description="Serve a model version (name@alias, name/VERSION or name) over HTTP.",
        epilog=SERVE_EPILOG, formatter_class=fmt)
    serve.add_argument("ref", metavar="MODEL_REF", help="name@alias, name/VERSION or name")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default 127.0.0.1; 0.0.0.0 for every interface)")
    serve.add_argument("--port", type=port, default=8080, help="port (default 8080)")
    serve.add_argument("--workers", type=positive_int, default=1,
                       help="server processes (default 1; each keeps its own /metrics)")
    serve.add_argument("--poll", type=seconds, default=1.0, metavar="SECONDS",
                       help="how often to check where the alias points (default 1; 0: never)")
    serve.add_argument("--log-queue", type=positive_int, default=10_000, metavar="N",
                       help="prediction log rows held before new ones are dropped and counted "
                            "(default 10000)")
    serve.add_argument("--no-log", action="store_true", help="do not log predictions")
    serve.add_argument("--max-rows", type=positive_int, default=10_000, metavar="N",
                       help="rows one request may hold (default 10000)")
    serve.add_argument("--max-body", type=positive_int, default=8 << 20, metavar="BYTES",
                       help="largest request body (default 8 MiB)")
    serve.add_argument("--probabilities", action="store_true",
                       help="answer with a classifier's class probabilities too, unless a "
                            'request says "probabilities": false')
    serve.add_argument("--runtime", choices=["skops", "onnx", "auto"], default="skops",
                       help="what scores: skops (scikit-learn, the default), onnx (the "
                       "version's verified ONNX file with onnxruntime only: scikit-learn is "
                       "never imported) or auto (onnx when the version has one, else skops)")
    serve.add_argument("--allow-pickle", action="store_true",
                       help="load a pickled model version (runs code from the file: only for "
                            "versions you trust)")
    serve.add_argument("--log-level", default="info",
                       choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(handler=cmd_serve)

    predict = commands.add_parser(
        "predict", help="score a CSV or Parquet file with a model version",
        description="Score a CSV or Parquet file, chunk by chunk, into a Parquet file.",
        epilog=PREDICT_EPILOG, formatter_class=fmt)
    predict.add_argument("ref", metavar="MODEL_REF", help="name@alias, name/VERSION or name")
    predict.add_argument("input", metavar="INPUT", help="a .csv or .parquet file")
    predict.add_argument("-o", "--output", required=True, metavar="OUT.parquet",
                         help="the Parquet file to write")
    predict.add_argument("--chunk-rows", type=positive_int, default=None, metavar="N",
                         help="rows read and scored at a time (default 50000)")
    predict.add_argument("--no-progress", action="store_true", help="no progress bar")
    predict.add_argument("--probabilities", action="store_true",
                         help="add a classifier's class probabilities, one column per class "
                              "(probability_<class>)")
    predict.add_argument("--allow-pickle", action="store_true",
                         help="load a pickled model version (only for versions you trust)")
    predict.add_argument("--json", action="store_true", help="print the summary as JSON")
    predict.set_defaults(handler=cmd_predict)

    package = commands.add_parser(
        "package", help="build a container context for a model version",
        description="Write a container build context: Dockerfile, pinned requirements, the "
                    "model file and an entrypoint serving it.",
        epilog=PACKAGE_EPILOG, formatter_class=fmt)
    package.add_argument("ref", metavar="MODEL_REF", help="name@alias, name/VERSION or name")
    package.add_argument("-o", "--output", required=True, metavar="DIR",
                         help="a new (or empty) folder; missing parent folders are made")
    package.add_argument("--runtime", choices=["skops", "onnx", "auto"], default="skops",
                         help="serve the skops file (default), the version's verified ONNX "
                         "file (onnx: requirements are onnxruntime and the HTTP stack only), "
                         "or auto (onnx when the version has one)")
    package.add_argument("--edge", action="store_true",
                         help="no server: the ONNX file, signature.json, the model card and "
                         "an example client that needs only onnxruntime")
    package.add_argument("--json", action="store_true", help="print the summary as JSON")
    package.set_defaults(handler=cmd_package)


def cmd_serve(args) -> int:
    from ..serving.server import ServeSettings, serve

    settings = ServeSettings(ref=args.ref, poll_seconds=args.poll, allow_pickle=args.allow_pickle,
                             log_queue_size=args.log_queue, log_predictions=not args.no_log,
                             max_rows=args.max_rows, max_body_bytes=args.max_body,
                             probabilities=args.probabilities, runtime=args.runtime)
    serve(settings, host=args.host, port=args.port, workers=args.workers,
          log_level=args.log_level)
    return 0


def cmd_predict(args) -> int:
    from .output import print_json, print_pairs

    result = services().serving.score_file(
        args.ref, args.input, args.output, chunk_rows=args.chunk_rows,
        progress=not args.no_progress and not args.json, allow_pickle=args.allow_pickle,
        probabilities=args.probabilities)
    if args.json:
        print_json(result.to_json())
        return 0
    print_pairs([("model", result.ref), ("rows", str(result.rows)), ("output", result.output),
                 ("prediction column", result.prediction_column)]
                + ([("probability columns", ", ".join(result.probability_columns))]
                   if result.probability_columns else []))
    if result.ignored_columns:
        print(f"ignored by the model (kept in the output): "
              f"{', '.join(result.ignored_columns)}", file=sys.stderr)
    return 0


def cmd_package(args) -> int:
    from .output import print_json, print_pairs

    result = services().serving.package(args.ref, args.output, runtime=args.runtime,
                                        edge=args.edge)
    if args.json:
        print_json(result)
        return 0
    if result.get("edge"):
        print_pairs([("model", result["ref"]), ("folder", result["output"]),
                     ("files", ", ".join(result["files"]))])
        print(f"\nrun: pip install -r {result['output']}/requirements.txt && python "
              f"{result['output']}/client.py '{{\"records\": [...]}}'")
        return 0
    print_pairs([("model", result["ref"]), ("folder", result["output"]),
                 ("files", ", ".join(result["files"])), ("python", result["python"])])
    tag = re.sub(r"[^a-z0-9._-]+", "-", result["ref"].split("/")[0].lower()).strip("-.") or "model"
    print(f"\nbuild: docker build -t {tag} {result['output']}")
    return 0
