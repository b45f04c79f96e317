"""IPython magics: ``%%track`` records what a cell did as a run.

    %load_ext mlops_lab

    %%track [NAME] [-e EXPERIMENT]
    lr = 0.1
    clf = LogisticRegression(C=1.0).fit(X, y)
    ml.log_metric("acc", clf.score(X, y))

The cell runs exactly as it would without the magic (same namespace, output, display and
exceptions) and a run is recorded with:

- the cell source and its blake3 hash, the notebook path (when the kernel knows it) and the
  execution count; the run's start and end times give the cell's wall time;
- Python, platform and the versions of key packages the kernel has imported; the git commit,
  branch and whether the tree was dirty (hash of the diff), written shortly after the cell by a
  background thread (``ml.flush()`` waits for it); random seeds the cell sets;
- params: every top-level ``name = <int|float|str|bool literal>`` of the cell (signed numbers
  and tuple unpacking of literals included; not inside functions, loops, ``if``/``with``/``try``
  blocks; names starting with ``_`` skipped; the last top-level binding wins), plus the
  ``get_params(deep=False)`` of each fitted scikit-learn model the cell created, rebound or
  called ``fit`` on, prefixed by its variable (``clf.C``); nested estimators by their structure
  (``pipe.steps = ["scaler: StandardScaler", "svc: SVC"]``) and their params as dotted keys
  (``pipe.svc.C``); callables by qualified name, so identical runs record identical params;
- metrics and anything else logged in the cell with ``mlops_lab`` (they go to this run);
- each such fitted model as the artifact ``models/<variable>.skops`` (skops, never pickle),
  once: a model inside another one the cell saves (an ensemble's member, a pipeline's step)
  is in that file and gets none of its own. The files are written after the cell returns;
  the run ends once they are in place (``ml.flush()`` waits; so does the next cell; in a
  pipeline run's kernel they are written before the cell returns), and the
  summary says what is being saved. A file that cannot be saved is named in the run's tag
  ``models.not_saved`` and on the next cell's stderr;
- the status: FINISHED, FAILED with the error message when the cell raises, KILLED on
  KeyboardInterrupt or ``sys.exit()``.

Each execution is a new run. A tracked cell run while another run is open (``with
ml.start_run():`` in progress, or ``ml.start_run()`` without ``with``) becomes its child. Under
the cell, after its own output, a short summary shows the run and a link to the panel: the
cell's own literals first, then the most telling estimator params (``n_estimators``,
``max_depth``, ``C``, ``random_state``, ...).
Top-level ``await`` is not supported in a tracked cell.
"""

from __future__ import annotations

import contextlib
import html

from IPython.core import magic_arguments
from IPython.core.async_helpers import _pseudo_sync_runner
from IPython.core.displayhook import DisplayHook
from IPython.core.error import InputRejected, UsageError
from IPython.core.interactiveshell import ExecutionResult
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.utils.process import arg_split

from ..errors import InvalidInput
from ..tracking import autolog, capture, cell_run, model_saving, summary_order
from ..tracking.entities import format_number

SUMMARY_ITEMS = 12  # params / metrics shown in the summary before "+N more"


@magics_class
class TrackingMagics(Magics):
    @magic_arguments.magic_arguments()
    @magic_arguments.argument("name", nargs="*", help="run name (default: a generated one)")
    @magic_arguments.argument("-e", "--experiment", help="experiment name (default: the current one)")
    @magic_arguments.argument(
        "--no-autolog", nargs="?", const="all", default=None, metavar="PARTS",
        help="--no-autolog: record only the cell's literals, models and what it logs itself; "
             "--no-autolog=PARTS switches off some of training_score, search, scores, figures "
             "(comma-separated)")
    @cell_magic
    def track(self, line, cell):
        """Run the cell and record it as a run: ``%%track [NAME] [-e EXPERIMENT] [--no-autolog[=PARTS]]``.

        Params are the cell's top-level ``name = <int|float|str|bool literal>`` assignments
        (signed numbers and tuple unpacking included; not inside functions, loops or blocks;
        names starting with ``_`` skipped) and ``<variable>.<param>`` of fitted scikit-learn
        models; those models are saved as ``models/<variable>.skops``. Metrics logged in the
        cell go to its run, and so do, unless switched off, each fitted model's training score,
        a search's best params, best score, cv_results table and candidates (child runs),
        ``sklearn.metrics`` results bound to names, and the figures the cell shows.
        Exception -> FAILED, KeyboardInterrupt or sys.exit() -> KILLED.
        See ``mlops_lab.magics.track`` and ``mlops_lab.tracking.autolog`` for everything recorded.
        """
        name, experiment, off = _parse(self.track.parser, line)
        shell = self.shell
        cell_result = getattr(shell.displayhook, "exec_result", None)  # the running cell's result
        digest = capture.cell_hash(cell)
        transformed = _transform(shell, cell, digest)
        analysis = capture.analyze_cell(transformed, digest)
        if analysis.top_level_await:
            raise UsageError("%%track cannot run a cell with top-level await: move the awaits "
                             "into an async function and run it with asyncio.run(...).")
        before = cell_run.namespace_ids(shell.user_ns)
        folder = cell_run.git_folder(shell.user_ns)
        run = _start(name, experiment, cell, digest,
                     getattr(cell_result, "execution_count", None), analysis, shell.user_ns, folder)
        exc: BaseException | None = KeyboardInterrupt("interrupted before the cell ran")
        figures_before = autolog.open_figures() if "figures" not in off else []
        shown: list = []
        try:
            with _displays(shell, off) as shown:
                exc = run_cell_body(shell, cell, transformed, cell_result)
        finally:
            if run is not None:
                seen = (off, shown, figures_before)
                notes = cell_run.finish(run, exc, analysis, before, shell.user_ns, folder, seen,
                                        _wait_before_next_cell)
                _show_summary(run.summary(), notes)


def _displays(shell, off):
    """What the cell displays, collected for autologging its figures (unless switched off)."""
    if "figures" in off or shell.display_pub is None:
        return contextlib.nullcontext([])
    return autolog.displayed(shell.display_pub)


_transformed: dict[str, str] = {}


def _transform(shell, cell: str, digest: str) -> str:
    """IPython's transform of the cell (magics, ``!`` commands), cached by the cell's hash."""
    text = _transformed.get(digest)
    if text is None:
        if len(_transformed) >= 512:
            _transformed.pop(next(iter(_transformed)))
        text = _transformed[digest] = shell.transform_cell(cell)
    return text


_parsed: dict[str, tuple] = {}


def _parse(parser, line: str) -> tuple[str | None, str | None, frozenset]:
    """(run name, experiment, autolog parts switched off) from the magic's line, split as a
    shell does (quotes group words and are not kept); cached, since a notebook re-runs the
    same few lines."""
    found = _parsed.get(line)
    if found is None:
        try:
            argv = arg_split(line, posix=True)
        except ValueError as exc:
            raise UsageError(f"%%track: {exc} in {line!r}; quote a name that has an apostrophe "
                             "with double quotes.") from None
        # a bare --no-autolog never takes the next word (the run name) as its list
        args = parser.parse_args(["--no-autolog=all" if a == "--no-autolog" else a for a in argv])
        try:
            off = autolog.parts_off(args.no_autolog)
        except InvalidInput as exc:
            raise UsageError(f"%%track: {exc}") from None
        if len(_parsed) >= 256:
            _parsed.pop(next(iter(_parsed)))
        found = _parsed[line] = (" ".join(args.name) or None, args.experiment, off)
    return found


# ---- recording: tracking's rules (tracking/cell_run.py) -----------------------------------


def _start(name, experiment, cell, digest, execution_count, analysis, user_ns, folder):
    try:
        return cell_run.start(name, experiment, cell, digest, execution_count, analysis,
                              user_ns, folder)
    except InvalidInput as exc:  # the user's name or experiment: nothing has run yet
        raise UsageError(f"%%track: {exc}") from None


def _wait_before_next_cell() -> None:
    """The next cell waits for model files still being written, so it cannot change a model
    while it is saved."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and model_saving.wait_for_writes not in shell.events.callbacks["pre_run_cell"]:
        shell.events.register("pre_run_cell", model_saving.wait_for_writes)


# ---- running the cell body ---------------------------------------------------------------


def run_cell_body(shell, raw: str, transformed: str, cell_result) -> BaseException | None:
    """Runs a cell body as IPython runs a cell, as part of the cell being executed.

    The body is compiled under its own cell name (so tracebacks show the user's code as
    ``Cell In[n]``, not the magic), runs in the user namespace through IPython's own
    ``run_ast_nodes`` (display of the last expression, ``Out``/``_``, traceback display,
    SystemExit and KeyboardInterrupt handling), and its error is recorded on the running cell's
    ``ExecutionResult``, so the kernel reports the cell as failed and papermill stops there.
    Returns the exception the body raised, or None.
    """
    result = cell_result if cell_result is not None else ExecutionResult(None)
    number = result.execution_count if result.execution_count is not None else shell.execution_count
    previous, result.error_in_exec = result.error_in_exec, None
    cell_name = shell.compile.cache(transformed, number, raw_code=raw)
    try:
        tree = shell.transform_ast(shell.compile.ast_parse(transformed, filename=cell_name))
    except (OverflowError, SyntaxError, ValueError, TypeError, MemoryError) as exc:
        shell.showsyntaxerror(filename=cell_name)
        error = exc
    except InputRejected as exc:
        shell.showtraceback()
        error = exc
    else:
        quiet = DisplayHook.semicolon_at_end_of_expression(transformed)
        _pseudo_sync_runner(shell.run_ast_nodes(
            tree.body, cell_name, interactivity="none" if quiet else shell.ast_node_interactivity,
            compiler=shell.compile, result=result))
        error = result.error_in_exec
    result.error_in_exec = error if error is not None else previous
    return error


# ---- the summary under the cell ------------------------------------------------------------


def _show_summary(run, notes) -> None:
    from IPython.display import display

    display({"text/html": summary_html(run, notes), "text/plain": summary_text(run, notes)},
            raw=True)


def _items(mapping: dict, label: str) -> tuple[list[tuple[str, str]], int]:
    keys = summary_order.ordered_params(mapping) if label == "params" else sorted(mapping)
    shown = keys[:SUMMARY_ITEMS]
    return [(k, format_number(mapping[k])) for k in shown], len(keys) - len(shown)


def _duration(run) -> str:
    ms = run.duration_ms if getattr(run, "duration_ms", None) is not None else (
        (run.end_time - run.start_time) if run.end_time else None)
    if ms is None:
        return ""
    return f"{ms} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def summary_text(run, notes=()) -> str:
    lines = [f"run {run.name} ({run.id}) {run.status}"
             + (f" in {_duration(run)}" if _duration(run) else "")]
    for label, mapping in (("params", run.params), ("metrics", run.metrics)):
        items, more = _items(mapping, label)
        if items:
            lines.append(f"{label}: " + ", ".join(f"{k}={v}" for k, v in items)
                         + (f" (+{more} more)" if more else ""))
    if run.error:
        lines.append(f"error: {run.error}")
    lines += [f"note: {n}" for n in notes]
    return "\n".join(lines)


_STATUS_COLOUR = {"FINISHED": "var(--jp-success-color1, #388e3c)",
                  "FAILED": "var(--jp-error-color1, #d32f2f)",
                  "KILLED": "var(--jp-warn-color1, #f57c00)",
                  "RUNNING": "var(--jp-info-color1, #0288d1)"}


def summary_html(run, notes=()) -> str:
    """The summary as HTML; every value from the run is escaped."""
    e = html.escape
    colour = _STATUS_COLOUR.get(run.status, "inherit")
    parts = [
        '<div class="mlops-lab-run-summary" style="font-family: var(--jp-ui-font-family);'
        ' font-size: var(--jp-ui-font-size1); color: var(--jp-ui-font-color1); line-height: 1.5">',
        f'<span style="color: {colour}; font-weight: 600">{e(run.status)}</span> ',
        f'<b>{e(run.name)}</b> <code style="opacity: 0.7">{e(run.id)}</code>',
    ]
    if _duration(run):
        parts.append(f" &middot; {e(_duration(run))}")
    parts.append(f' &middot; <a class="mlops-lab-run-link" data-run-id="{e(run.id)}" '
                 f'href="#mlops-lab/runs/{e(run.id)}" title="Open this run in the MLOps Lab panel">'
                 'open in MLOps Lab</a>')
    for label, mapping in (("params", run.params), ("metrics", run.metrics)):
        items, more = _items(mapping, label)
        if items:
            cells = ", ".join(f"<code>{e(k)}</code>={e(v)}" for k, v in items)
            parts.append(f"<div>{label}: {cells}" + (f" (+{more} more)" if more else "") + "</div>")
    if run.error:
        parts.append(f'<div style="color: var(--jp-error-color1, #d32f2f)">{e(run.error)}</div>')
    parts += [f'<div style="opacity: 0.7">{e(n)}</div>' for n in notes]
    parts.append("</div>")
    return "".join(parts)


MAGICS = (TrackingMagics,)
