"""What the notebook toolbar's "Register model" button runs in the live kernel.

The button executes, silently, ``candidates()`` (the fitted models and input examples in the
namespace), then ``check('<one JSON string literal>')`` (how the version's input columns
would differ from the model's newest version's, asked before registering) and then
``register('<the same literal>')``. Everything the user typed travels inside that one literal
and is parsed here with ``json.loads``; variable names must be identifiers bound in the
namespace, so no user text is ever run as code.

Each returns a `Json` value whose text is the JSON document, which the frontend reads from the
``user_expressions`` reply.
"""

from __future__ import annotations

import json
import sys

from ..errors import MlopsLabError

MAX_PARAMS = 8


class Json:
    """A JSON document shown as itself, for ``user_expressions``."""

    def __init__(self, doc):
        self.text = json.dumps(doc, default=str)

    def __repr__(self) -> str:
        return self.text

    def _repr_json_(self):
        return json.loads(self.text)


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _visible(name: str) -> bool:
    return not name.startswith("_") and name not in ("In", "Out", "exit", "quit")


def candidates(namespace: dict | None = None) -> Json:
    """{"models": [{name, class, params, n_features, run, note}], "examples": [{name, kind,
    shape, columns}]}: fitted scikit-learn models (with the tracked run that saved each, or a
    note saying why none), and DataFrames / 2-d arrays usable as examples."""
    from ..tracking.capture_models import fitted_estimators, param_value

    ns = _namespace() if namespace is None else namespace
    names = [n for n in list(ns) if _visible(n)]
    models = []
    for name, model in fitted_estimators(ns, names).items():
        try:
            params = model.get_params(deep=False)
        except Exception:
            params = {}
        shown = {k: param_value(v) for k, v in sorted(params.items())[:MAX_PARAMS]}
        models.append({"name": name, "class": type(model).__name__,
                       "module": type(model).__module__, "params": shown,
                       "n_features": getattr(model, "n_features_in_", None),
                       **_saved_by(model, name)})
    examples = []
    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    for name in names:
        value = ns.get(name)
        if pd is not None and isinstance(value, pd.DataFrame) and len(value.columns):
            examples.append({"name": name, "kind": "DataFrame", "shape": list(value.shape),
                             "columns": [str(c) for c in value.columns[:50]]})
        elif np is not None and isinstance(value, np.ndarray) and value.ndim == 2:
            examples.append({"name": name, "kind": "ndarray", "shape": list(value.shape),
                             "columns": []})
    return Json({"models": models, "examples": examples})


def _saved_by(model, variable: str) -> dict:
    """{run: {id, name} or None, note}: the tracked run whose saved file a registration would
    reuse, or why there is none."""
    from .api import saved_by

    try:
        found = saved_by(model, variable)
    except MlopsLabError as exc:
        return {"run": None, "note": str(exc)}
    run = ({"id": found.run_id, "name": found.run_name, "metrics": found.to_json()["metrics"]}
           if found.run_id else None)
    return {"run": run, "note": found.reason}


def check(payload: str, namespace: dict | None = None) -> Json:
    """What the dialog asks before registering the request in `payload` (as `register`
    takes it): {"ok": true, "signature_change": {"version", "added", "removed", "retyped",
    "message"} or null} or {"ok": false, "error": message}; never raises."""
    return _answer(_check, payload, namespace)


def register(payload: str, namespace: dict | None = None) -> Json:
    """Registers the model variable named in `payload` (JSON: variable, name, alias,
    description, example). Returns {"ok": true, "name", "version", "ref", "aliases"} or
    {"ok": false, "error": message}; never raises."""
    return _answer(_register, payload, namespace)


def _answer(work, payload: str, namespace: dict | None) -> Json:
    try:
        return Json({"ok": True, **work(payload, namespace)})
    except MlopsLabError as exc:
        return Json({"ok": False, "error": str(exc)})
    except Exception as exc:  # shown in the dialog; the kernel keeps running
        return Json({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


def _check(payload: str, namespace: dict | None) -> dict:
    from .api import signature_change
    from .names import clean_model_name

    doc, model, example = _request(payload, namespace)
    return {"signature_change": signature_change(model, clean_model_name(doc.get("name")),
                                                 example)}


def _register(payload: str, namespace: dict | None) -> dict:
    import warnings

    from .api import register_variable
    from .signature import SignatureChangeWarning

    doc, model, example = _request(payload, namespace)
    text = {key: doc.get(key) or None for key in ("name", "alias", "description")}
    with warnings.catch_warnings():  # the dialog showed the change and the user accepted it
        warnings.simplefilter("ignore", SignatureChangeWarning)
        version = register_variable(model, doc["variable"], text["name"],
                                    input_example=example, alias=text["alias"],
                                    description=text["description"])
    return {"name": version.name, "version": version.version, "ref": version.ref,
            "aliases": version.aliases, "run_id": version.run_id, "note": version.note}


def _request(payload: str, namespace: dict | None):
    """The toolbar's request: (its JSON object, the model variable's value, the input
    example's value or None)."""
    from ..errors import InvalidInput

    try:
        doc = json.loads(_join_surrogate_pairs(payload))
    except UnicodeError:
        raise InvalidInput("The request from the toolbar holds text that is not valid "
                           "Unicode (a lone half of a UTF-16 pair).") from None
    except (TypeError, ValueError):
        raise InvalidInput("The request from the toolbar is not valid JSON.") from None
    if not isinstance(doc, dict):
        raise InvalidInput("The request from the toolbar must be a JSON object.")
    ns = _namespace() if namespace is None else namespace
    model = _variable(ns, doc.get("variable"), "model")
    example = _variable(ns, doc["example"], "input example") if doc.get("example") else None
    return doc, model, example


def _join_surrogate_pairs(payload):
    """The payload with each UTF-16 pair written as two escapes (as older frontends sent an
    emoji) joined into its character; a lone half raises UnicodeError."""
    if not isinstance(payload, str) or not any("\ud800" <= c <= "\udfff" for c in payload):
        return payload
    return payload.encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def _variable(ns: dict, name, what: str):
    from ..errors import InvalidInput

    if not isinstance(name, str) or not name.isidentifier() or not _visible(name):
        raise InvalidInput(f"The {what} must be the name of a variable, not {str(name)[:80]!r}.")
    if name not in ns:
        raise InvalidInput(f"There is no variable {name!r} in the kernel (was its cell run?).")
    return ns[name]
