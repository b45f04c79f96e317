"""`mlops-lab gate`, `mlops-lab benchmark` and `mlops-lab evaluations`: compare model versions
on one labelled snapshot, with intervals, from any shell or CI system."""

from __future__ import annotations

import sys

from .output import print_json, print_table, when

# The gate's exit codes: a CI step fails on anything but a pass, and says which way.
EXIT_PASSED, EXIT_FAILED, EXIT_CANNOT_TELL = 0, 1, 2

GATE_EPILOG = """\
exit status: 0 the challenger passed, 1 it failed, 2 the gate could not run (bad input, a
missing version or snapshot: the message says which).

examples:
  mlops-lab gate churn/7 churn@champion --data holdout@3 --label churned
  mlops-lab gate churn/7 churn@champion --data holdout --label churned \\
      --metric roc_auc --margin 0.01 --promote champion --keep-previous previous
  mlops-lab gate churn/7 churn@champion --data holdout --label churned \\
      --slice region --max-slice-drop 0.02 --max-latency-increase 0.2 --json
"""
BENCHMARK_EPILOG = """\
examples:
  mlops-lab benchmark churn/5 churn/6 churn@champion --data holdout@3 --label churned
  mlops-lab benchmark churn/5 churn/6 --data holdout --label churned \\
      --metric roc_auc --metric accuracy --json
"""
EVALUATIONS_EPILOG = """\
examples:
  mlops-lab evaluations churn
  mlops-lab evaluations churn --kind gate --version 7
  mlops-lab evaluations churn --show 12
"""
METRICS = "accuracy, roc_auc, log_loss, brier (classifiers); rmse, mae, mse, r2 (regressors)"


def _common(parser) -> None:
    parser.add_argument("--data", required=True, metavar="SNAPSHOT",
                        help="the labelled snapshot both score: name, name@3, name@latest")
    parser.add_argument("--label", required=True, metavar="COLUMN",
                        help="its column of true answers")
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="the intervals' confidence (default 0.95)")
    parser.add_argument("--resamples", type=int, default=1000,
                        help="paired bootstrap resamples (default 1000; roc_auc uses DeLong)")
    parser.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def register(commands, fmt) -> None:
    gate = commands.add_parser(
        "gate", help="does a challenger beat the champion? (exit 0 pass, 1 fail)",
        description="Score two versions of a model on the same labelled snapshot and pass "
        "only when the challenger is better by more than the margin over the whole "
        "confidence interval of the paired difference, and every guardrail holds. The "
        "result is stored with the challenger and shown in its model view.",
        epilog=GATE_EPILOG, formatter_class=fmt)
    gate.add_argument("challenger", metavar="CHALLENGER", help="e.g. churn/7")
    gate.add_argument("champion", metavar="CHAMPION", help="e.g. churn@champion")
    _common(gate)
    gate.add_argument("--metric", default=None,
                      help=f"what to compare: {METRICS} (default accuracy or rmse)")
    gate.add_argument("--margin", type=float, default=0.0,
                      help="how much better the challenger must be, in the metric's units")
    gate.add_argument("--slice", dest="slices", action="append", default=[], metavar="COLUMN",
                      help="a column whose slices must not get worse (repeat for more)")
    gate.add_argument("--max-slice-drop", type=float, default=0.0,
                      help="how much worse a slice may get (default 0)")
    gate.add_argument("--max-latency-increase", type=float, default=None, metavar="FRACTION",
                      help="how much slower scoring may get (0.2 = 20%%; default: not checked)")
    gate.add_argument("--no-signature-check", action="store_true",
                      help="allow a challenger that takes other input columns")
    gate.add_argument("--promote", default=None, metavar="ALIAS",
                      help="on a pass, move this alias (e.g. champion) to the challenger")
    gate.add_argument("--keep-previous", default=None, metavar="ALIAS",
                      help="with --promote, point this alias (e.g. previous) at the old one")
    gate.add_argument("--reason", default=None, help="added to the alias history's reason")
    gate.set_defaults(handler=cmd_gate)

    bench = commands.add_parser(
        "benchmark", help="a leaderboard of model versions with intervals",
        description="Score any number of versions of a model on the same labelled snapshot: "
        "each metric with its interval, ranked by the first, and how far behind the leader "
        "each version is. Stored and shown in the model view.",
        epilog=BENCHMARK_EPILOG, formatter_class=fmt)
    bench.add_argument("refs", nargs="+", metavar="VERSION", help="e.g. churn/5 churn@champion")
    _common(bench)
    bench.add_argument("--metric", dest="metrics", action="append", default=None,
                       help=f"{METRICS}; repeat for more, the first ranks")
    bench.set_defaults(handler=cmd_benchmark)

    listing = commands.add_parser(
        "evaluations", help="a model's gates and benchmarks",
        description="A model's gates and benchmarks, newest first.",
        epilog=EVALUATIONS_EPILOG, formatter_class=fmt)
    listing.add_argument("name", metavar="MODEL")
    listing.add_argument("--kind", choices=["gate", "benchmark"], default=None)
    listing.add_argument("--version", type=int, default=None,
                         help="only the gates where this version was the challenger")
    listing.add_argument("--show", type=int, default=None, metavar="ID",
                         help="print one evaluation in full")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(handler=cmd_evaluations)


def _service():
    from ..services import services

    return services().evaluation


def cmd_gate(args) -> int:
    from ..errors import MlopsLabError

    try:
        found = _service().gate(
            args.challenger, args.champion, args.data, args.label, metric=args.metric,
            margin=args.margin, confidence=args.confidence, resamples=args.resamples,
            seed=args.seed, slices=args.slices, max_slice_drop=args.max_slice_drop,
            max_latency_increase=args.max_latency_increase,
            check_signature=not args.no_signature_check, promote=args.promote,
            keep_previous=args.keep_previous, reason=args.reason)
    except MlopsLabError as exc:
        # Not a verdict: a CI step must tell "the challenger lost" from "nothing was compared".
        print(f"mlops-lab: gate could not run: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_CANNOT_TELL
    except Exception:  # noqa: BLE001 - a crash is no verdict either (Python would exit 1)
        import traceback

        traceback.print_exc()
        print("mlops-lab: gate could not run: the error above is not one it expects; nothing "
              "was compared.", file=sys.stderr)
        return EXIT_CANNOT_TELL
    _show(found, args.json)
    return EXIT_PASSED if found.passed else EXIT_FAILED


def cmd_benchmark(args) -> int:
    found = _service().benchmark_models(args.refs, args.data, args.label, metrics=args.metrics,
                                        confidence=args.confidence, resamples=args.resamples,
                                        seed=args.seed)
    _show(found, args.json)
    return 0


def cmd_evaluations(args) -> int:
    service = _service()
    if args.show is not None:
        _show(service.get_evaluation(args.show), args.json)
        return 0
    found = service.list_evaluations(args.name, args.kind, args.version, args.limit)
    if args.json:
        print_json([e.to_json() for e in found])
        return 0
    if not found:
        print(f"No gates or benchmarks of {args.name!r} yet; run `mlops-lab gate --help`.")
        return 0
    print_table(["id", "kind", "when", "metric", "versions", "result"],
                [[str(e.id), e.kind, when(e.created_at), e.doc["metric"], _versions(e),
                  _result(e)] for e in found])
    return 0


def _show(found, as_json: bool) -> None:
    if as_json:
        print_json(found.to_json())
    else:
        print(found)


def _versions(e) -> str:
    if e.kind == "gate":
        return f"{e.doc['challenger']['version']} vs {e.doc['champion']['version']}"
    return ", ".join(str(row["version"]) for row in e.doc["leaderboard"])


def _result(e) -> str:
    if e.kind == "benchmark":
        return f"leader: version {e.doc['leaderboard'][0]['version']}"
    i = e.doc["improvement"]
    verdict = "passed" if e.passed else "failed"
    return f"{verdict}: {i['value']:+.4f} [{i['low']:+.4f}, {i['high']:+.4f}]"
