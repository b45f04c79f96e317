"""What a tracked cell says about itself, read from its source without running it.

Pure functions over the cell's text (no store access, no execution):

- ``cell_hash(source)``: blake3 hex digest of the cell source.
- ``analyze_cell(source)``: the cell's literal params, the random seeds it sets and the
  names it calls ``.fit`` on. Cached by cell hash, so re-running a cell costs a dict lookup.

Literal params (the rule ``%%track`` documents):

- a top-level assignment ``name = <literal>`` where the literal is an int, float, str or bool,
  including signed numbers (``lr = -1e-3``) and annotated assignments (``lr: float = 0.1``);
- tuple unpacking of literals (``a, b = 1, "x"``) and chains (``a = b = 3``);
- only statements at the top level of the cell: not inside functions, classes, loops, ``if``,
  ``with`` or ``try`` blocks;
- names starting with ``_`` are skipped;
- the last top-level binding wins: a name rebound later in the cell by anything that is not a
  literal (``n = 5`` then ``n += 1``) is not a param.

Seeds: ``np.random.seed(42)`` / ``numpy.random.seed`` -> ``numpy``; ``random.seed(7)`` ->
``random``; ``np.random.default_rng(0)`` / ``RandomState(0)`` -> ``numpy_rng``;
``torch.manual_seed(0)`` -> ``torch``; ``tf.random.set_seed(0)`` -> ``tensorflow``; any
``random_state=0`` keyword -> ``random_state``. A seed given as a name that is a literal param of
the same cell (``SEED = 1; np.random.seed(SEED)``) is resolved; other expressions are ignored.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from blake3 import blake3

# Methods whose call on a top-level name marks that name as a model fitted by the cell.
FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict", "partial_fit"})

_ANALYSIS_CACHE: dict[str, CellAnalysis] = {}
_ANALYSIS_CACHE_SIZE = 512


@dataclass(frozen=True)
class CellAnalysis:
    params: dict = field(default_factory=dict)  # literal params, name -> int|float|str|bool
    seeds: dict = field(default_factory=dict)  # "numpy"|"random"|... -> int (or list of ints)
    fit_targets: frozenset = frozenset()  # names the cell calls .fit(...) on
    top_level_await: bool = False  # awaits outside any async function
    parsed: bool = True  # False when the source is not valid Python (nothing was read)
    fit_data: dict = field(default_factory=dict)  # model name -> names of its last fit's data
    score_calls: dict = field(default_factory=dict)  # name -> dotted function it is bound to


def cell_hash(source: str) -> str:
    return blake3(source.encode("utf-8", "surrogatepass")).hexdigest()


def analyze_cell(source: str, digest: str | None = None) -> CellAnalysis:
    """The cell's literal params, seeds and fit targets; cached by the cell's hash."""
    digest = digest or cell_hash(source)
    cached = _ANALYSIS_CACHE.get(digest)
    if cached is not None:
        return cached
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        analysis = CellAnalysis(parsed=False)
    else:
        params = literal_params(tree)
        analysis = CellAnalysis(params, seeds(tree, params), fit_targets(tree),
                                has_top_level_await(tree), fit_data=fit_data(tree),
                                score_calls=bound_calls(tree))
    if len(_ANALYSIS_CACHE) >= _ANALYSIS_CACHE_SIZE:
        _ANALYSIS_CACHE.pop(next(iter(_ANALYSIS_CACHE)))  # oldest first (dicts keep order)
    _ANALYSIS_CACHE[digest] = analysis
    return analysis


# --- literal params -------------------------------------------------------------------------

_NOT_LITERAL = object()


def literal_value(node: ast.AST):
    """The value of an int/float/str/bool literal (signs allowed), else ``_NOT_LITERAL``."""
    if isinstance(node, ast.Constant):
        value = node.value
        return value if isinstance(value, (bool, int, float, str)) else _NOT_LITERAL
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)  # not bool: -True is not a param
    ):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    return _NOT_LITERAL


def _bindings(target: ast.AST, value: ast.AST | None):
    """(name, literal value or _NOT_LITERAL) for each name bound by ``target = value``."""
    if isinstance(target, ast.Name):
        yield target.id, (_NOT_LITERAL if value is None else literal_value(value))
    elif isinstance(target, (ast.Tuple, ast.List)):
        values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
        if values is not None and (
            len(values) != len(target.elts) or any(isinstance(v, ast.Starred) for v in values)
        ):
            values = None
        for i, elt in enumerate(target.elts):
            yield from _bindings(elt.value if isinstance(elt, ast.Starred) else elt,
                                 None if values is None or isinstance(elt, ast.Starred) else values[i])
    # attribute / subscript targets bind no name


def literal_params(tree: ast.Module) -> dict:
    params: dict = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            pairs = [b for t in stmt.targets for b in _bindings(t, stmt.value)]
        elif isinstance(stmt, ast.AnnAssign):
            pairs = list(_bindings(stmt.target, stmt.value)) if stmt.value is not None else []
        elif isinstance(stmt, ast.AugAssign):
            pairs = list(_bindings(stmt.target, None))
        else:
            continue
        for name, value in pairs:
            if name.startswith("_"):
                continue
            if value is _NOT_LITERAL:
                params.pop(name, None)
            else:
                params[name] = value
    return params


def has_top_level_await(tree: ast.Module) -> bool:
    """True if the cell awaits outside an async function (IPython's autoawait)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if isinstance(node, ast.comprehension) and node.is_async:
            return True
        if not isinstance(node, (ast.AsyncFunctionDef, ast.FunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return False


# --- seeds ----------------------------------------------------------------------------------


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _module_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> module for the cell's imports, over the usual conventions."""
    aliases = {"np": "numpy", "numpy": "numpy", "random": "random", "torch": "torch",
               "tf": "tensorflow", "tensorflow": "tensorflow"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


# Fully qualified seeding call -> the seed's key in environment["seeds"].
_SEED_CALLS = {
    "numpy.random.seed": "numpy",
    "random.seed": "random",
    "numpy.random.default_rng": "numpy_rng",
    "numpy.random.RandomState": "numpy_rng",
    "numpy.random.Generator": "numpy_rng",
    "torch.manual_seed": "torch",
    "torch.cuda.manual_seed": "torch",
    "torch.cuda.manual_seed_all": "torch",
    "tensorflow.random.set_seed": "tensorflow",
}


def _seed_value(node: ast.AST | None, params: dict):
    if node is None:
        return None
    value = literal_value(node)
    if isinstance(node, ast.Name):
        value = params.get(node.id, _NOT_LITERAL)
    return value if type(value) is int else None


def seeds(tree: ast.Module, params: dict | None = None) -> dict:
    params = params or {}
    aliases = _module_aliases(tree)
    found: dict[str, list] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for kw in node.keywords:
            if kw.arg == "random_state":
                value = _seed_value(kw.value, params)
                if value is not None:
                    found.setdefault("random_state", []).append(value)
        name = _dotted(node.func)
        if name is None:
            continue
        head, _, rest = name.partition(".")
        qualified = aliases.get(head, head) + ("." + rest if rest else "")
        key = _SEED_CALLS.get(qualified)
        if key is None:
            continue
        arg = node.args[0] if node.args else next(
            (kw.value for kw in node.keywords if kw.arg in ("seed", "a")), None)
        value = _seed_value(arg, params)
        if value is not None:
            found.setdefault(key, []).append(value)
    result = {}
    for key, values in found.items():
        distinct = list(dict.fromkeys(values))
        result[key] = distinct[0] if len(distinct) == 1 else distinct
    return result


# --- fitted models --------------------------------------------------------------------------


def fit_targets(tree: ast.Module) -> frozenset:
    """Names the cell calls a fit method on (``clf.fit(X, y)``), so a model fitted in place,
    without being rebound, is still found."""
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in FIT_METHODS
            and isinstance(node.func.value, ast.Name)
        ):
            names.add(node.func.value.id)
    return frozenset(names)


def _fit_call(node: ast.AST) -> ast.Call | None:
    """The ``….fit(...)`` call of an expression, also at the end of a chain
    (``LogisticRegression().fit(X, y)``)."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "fit"):
        return node
    return None


def _data_names(call: ast.Call) -> tuple[str, ...] | None:
    """``("X", "y")`` of ``fit(X, y)`` / ``fit(X=X, y=y)`` when every data argument is a name."""
    args = list(call.args) + [kw.value for kw in call.keywords if kw.arg in ("X", "y")]
    if not args or len(args) > 2 or not all(isinstance(a, ast.Name) for a in args):
        return None
    if len(call.args) + len(call.keywords) != len(args):  # sample_weight=…: not the plain data
        return None
    return tuple(a.id for a in args)


def fit_data(tree: ast.Module) -> dict:
    """model name -> the variable names it was last fitted on, for top-level statements
    ``clf.fit(X, y)`` and ``clf = Model(...).fit(X, y)`` whose data are plain names."""
    found: dict = {}
    for stmt in tree.body:
        # data bound again after the fit (`X, y = X_test, y_test`) is not what it was fitted on
        rebound = {n.id for n in ast.walk(stmt)
                   if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}
        for model in [m for m, data in found.items() if rebound.intersection(data)]:
            del found[model]
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        call = _fit_call(value) if value is not None else None
        if call is None:
            continue
        if isinstance(stmt, ast.Assign):
            target = stmt.targets[0] if len(stmt.targets) == 1 else None
            name = target.id if isinstance(target, ast.Name) else None
        else:
            name = call.func.value.id if isinstance(call.func.value, ast.Name) else None
        if name is not None:
            data = _data_names(call)
            if data is None:
                found.pop(name, None)
            else:
                found[name] = data
    return found


def bound_calls(tree: ast.Module) -> dict:
    """name -> dotted name of the function whose result a top-level ``name = f(...)`` binds
    (``acc = accuracy_score(y, p)`` -> ``{"acc": "accuracy_score"}``); the last binding wins."""
    found: dict = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            found.pop(stmt.target.id, None)  # changed after the call: not its result
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        func = _dotted(stmt.value.func) if isinstance(stmt.value, ast.Call) else None
        for target in targets:
            for name, _ in _bindings(target, None):
                found.pop(name, None)
                if func is not None and isinstance(target, ast.Name):
                    found[name] = func
    return found


def changed_names(before: dict[str, int], namespace: dict) -> list[str]:
    """Names that are new in ``namespace`` or bound to another object than in ``before``
    (``before`` maps name -> id(value), taken just before the cell ran)."""
    return [k for k, v in namespace.items() if before.get(k) != id(v) and not k.startswith("_")]
