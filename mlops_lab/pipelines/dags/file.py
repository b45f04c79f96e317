"""Pipeline files: a YAML graph of notebook steps, read and checked before anything runs.

    name: churn-training            # optional (default: the file's name)
    concurrency: 2                  # optional: steps running at once (default 4)
    steps:
      prepare:
        notebook: prepare.ipynb     # relative to this file, inside its folder tree
        parameters: {rows: 1000}
      train:
        notebook: models/train.ipynb
        depends_on: [prepare]
        timeout: 600                # optional, seconds
        parameters:
          data_path: ${prepare.data_path}   # the output `data_path` of step `prepare`
          alpha: 0.5

`audit: audit.ipynb` is short for `audit: {notebook: audit.ipynb}`.

A parameter whose whole value is `${step.output}` receives that output of an upstream step
(recorded there with `ml.output("output", value)`), with its JSON type; the step must be listed
in `depends_on`. Write `$${` for a literal `${`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from ...errors import InvalidInput
from ..runs.parameters import check_parameters
from .yaml_limits import TooBig, load_yaml

STEP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")
REFERENCE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_-]{0,99})\.([A-Za-z_][A-Za-z0-9_]*)\}$")
FILE_KEYS = {"name", "description", "concurrency", "steps"}
STEP_KEYS = {"notebook", "parameters", "depends_on", "timeout"}
MAX_FILE_BYTES = 1_000_000
MAX_STEPS = 500
DEFAULT_CONCURRENCY = 4


@dataclass(frozen=True)
class Reference:
    """`${step.output}`: the value of an upstream step's output."""

    step: str
    output: str

    def __str__(self) -> str:
        return "${%s.%s}" % (self.step, self.output)


@dataclass(frozen=True)
class Step:
    name: str
    notebook: str  # absolute path
    parameters: dict[str, Any] = field(default_factory=dict)  # values may be References
    depends_on: tuple[str, ...] = ()
    timeout: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "notebook": self.notebook,
                "parameters": {k: _encode(v) for k, v in self.parameters.items()},
                "depends_on": list(self.depends_on), "timeout": self.timeout}

    @classmethod
    def from_json(cls, doc: dict) -> "Step":
        return cls(name=doc["name"], notebook=doc["notebook"],
                   parameters={k: _decode(v) for k, v in doc["parameters"].items()},
                   depends_on=tuple(doc["depends_on"]), timeout=doc.get("timeout"))


@dataclass(frozen=True)
class Dag:
    name: str
    file: str  # absolute path of the pipeline file
    steps: dict[str, Step]
    concurrency: int = DEFAULT_CONCURRENCY
    description: str | None = None

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(upstream, downstream) pairs."""
        return [(d, s.name) for s in self.steps.values() for d in s.depends_on]

    def order(self) -> list[str]:
        return list(TopologicalSorter({n: s.depends_on for n, s in self.steps.items()})
                    .static_order())

    def downstream(self, name: str) -> set[str]:
        """Every step that depends on `name`, directly or not."""
        found, frontier = set(), [name]
        while frontier:
            current = frontier.pop()
            for step in self.steps.values():
                if current in step.depends_on and step.name not in found:
                    found.add(step.name)
                    frontier.append(step.name)
        return found

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "description": self.description,
                "concurrency": self.concurrency,
                "steps": [self.steps[n].to_json() for n in self.order()]}

    @classmethod
    def from_json(cls, doc: dict) -> "Dag":
        steps = [Step.from_json(s) for s in doc["steps"]]
        return cls(name=doc["name"], file=doc["file"], description=doc.get("description"),
                   concurrency=doc["concurrency"], steps={s.name: s for s in steps})


# ---- reading and checking ----------------------------------------------------------------

def load_dag(path: str | Path) -> Dag:
    """The pipeline file at `path`, checked (InvalidInput says what is wrong and where)."""
    file = Path(path).expanduser()
    if file.suffix.lower() not in (".yaml", ".yml"):
        raise InvalidInput(f"{str(path)!r} is not a pipeline file: give a .yaml or .yml file.")
    try:
        file = file.resolve(strict=True)
        data = file.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"The pipeline file {str(path)!r} does not exist.") from None
    except OSError as exc:
        raise InvalidInput(f"The pipeline file {str(path)!r} cannot be read: {exc.strerror}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"The pipeline file {file.name} is larger than 1 MB.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"The pipeline file {file.name} is not UTF-8 text.") from None
    return parse_dag(text, file)


def parse_dag(text: str, file: Path) -> Dag:
    """Checks the YAML `text` of the pipeline file `file` (notebooks are found beside it)."""
    import yaml

    try:
        doc = load_yaml(text)
    except TooBig as exc:
        raise InvalidInput(f"{file.name}: {exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise InvalidInput(f"{file.name} is not valid YAML{line}: "
                           f"{getattr(exc, 'problem', None) or exc}.") from None
    if not isinstance(doc, dict):
        raise InvalidInput(f"{file.name} must be a mapping with a `steps:` section.")
    unknown = sorted(map(str, set(doc) - FILE_KEYS))
    if unknown:
        raise InvalidInput(f"{file.name}: unknown key(s) {', '.join(unknown)}; a pipeline file "
                           f"has {', '.join(sorted(FILE_KEYS))}.")
    name = doc.get("name", file.stem)
    if not isinstance(name, str) or not name.strip() or len(name) > 500 or "\x00" in name:
        raise InvalidInput(f"{file.name}: `name` must be text of 1 to 500 characters.")
    description = doc.get("description")
    if description is not None and not isinstance(description, str):
        raise InvalidInput(f"{file.name}: `description` must be text.")
    concurrency = doc.get("concurrency", DEFAULT_CONCURRENCY)
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 64:
        raise InvalidInput(f"{file.name}: `concurrency` must be a whole number from 1 to 64.")
    raw_steps = doc.get("steps")
    if not isinstance(raw_steps, dict) or not raw_steps:
        raise InvalidInput(f"{file.name}: `steps` must map each step name to its notebook, "
                           "e.g. `steps: {train: {notebook: train.ipynb}}`.")
    if len(raw_steps) > MAX_STEPS:
        raise InvalidInput(f"{file.name} has {len(raw_steps)} steps; at most {MAX_STEPS}.")
    base = file.parent
    steps = {}
    for step_name, spec in raw_steps.items():
        step = _step(step_name, spec, base)
        steps[step.name] = step
    _check_graph(steps)
    return Dag(name=name.strip(), file=str(file), steps=steps, concurrency=concurrency,
               description=description)


def _step(name, spec, base: Path) -> Step:
    if not isinstance(name, str) or not STEP_NAME.match(name):
        raise InvalidInput(f"Step name {str(name)[:100]!r} is not allowed: use letters, digits, "
                           "_ and -, starting with a letter or _ (at most 100 characters).")
    if isinstance(spec, str):
        spec = {"notebook": spec}
    if not isinstance(spec, dict):
        raise InvalidInput(f"Step {name!r}: give a mapping with at least `notebook:`.")
    unknown = sorted(map(str, set(spec) - STEP_KEYS))
    if unknown:
        raise InvalidInput(f"Step {name!r}: unknown key(s) {', '.join(unknown)}; a step has "
                           f"{', '.join(sorted(STEP_KEYS))}.")
    notebook = _notebook(name, spec.get("notebook"), base)
    depends_on = spec.get("depends_on") or []
    if isinstance(depends_on, str):
        depends_on = [depends_on]
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        raise InvalidInput(f"Step {name!r}: `depends_on` must be a list of step names.")
    if len(set(depends_on)) != len(depends_on):
        raise InvalidInput(f"Step {name!r} lists a step twice in `depends_on`.")
    parameters = spec.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise InvalidInput(f"Step {name!r}: `parameters` must map names to values.")
    timeout = spec.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not 0 < timeout < math.inf):
        raise InvalidInput(f"Step {name!r}: `timeout` must be a number of seconds > 0.")
    return Step(name=name, notebook=notebook, parameters=_parameters(name, parameters),
                depends_on=tuple(depends_on), timeout=float(timeout) if timeout else None)


def _notebook(step: str, value, base: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Step {step!r}: `notebook` must be the path of a .ipynb file, "
                           "relative to the pipeline file.")
    if "\x00" in value:
        raise InvalidInput(f"Step {step!r}: the notebook path contains a NUL character.")
    relative = Path(value)
    if relative.is_absolute() or value.startswith(("~", "\\")) or re.match(r"^[A-Za-z]:", value):
        raise InvalidInput(f"Step {step!r}: notebook {value!r} must be a path relative to the "
                           "pipeline file's folder, not an absolute path.")
    if relative.suffix != ".ipynb":
        raise InvalidInput(f"Step {step!r}: notebook {value!r} is not a .ipynb file.")
    root = base.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise InvalidInput(f"Step {step!r}: notebook {value!r} is outside the pipeline file's "
                           f"folder ({root}); keep notebooks in that folder or below it.")
    if not path.is_file():
        raise InvalidInput(f"Step {step!r}: notebook {value!r} does not exist (looked for {path}).")
    return str(path)


def _parameters(step: str, parameters: dict) -> dict[str, Any]:
    literal, refs = {}, {}
    for key, value in parameters.items():
        ref = _reference(step, key, value)
        if ref is not None:
            refs[key] = ref
        else:
            literal[key] = _unescape(value)
    try:
        checked = check_parameters({**literal, **{k: "" for k in refs}})
    except InvalidInput as exc:
        raise InvalidInput(f"Step {step!r}: {exc}") from None
    checked.update(refs)
    return {k: checked[k] for k in parameters}  # the file's order


def _reference(step: str, key, value) -> Reference | None:
    if not isinstance(value, str) or "${" not in value.replace("$${", ""):
        return None
    match = REFERENCE.match(value)
    if not match:
        raise InvalidInput(f"Step {step!r}, parameter {str(key)!r}: {value!r} is not a reference; "
                           "write the whole value as ${step.output} (or $${ for a literal ${).")
    return Reference(match.group(1), match.group(2))


def _unescape(value):
    if isinstance(value, str):
        return value.replace("$${", "${")
    if isinstance(value, list):
        return [_unescape(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescape(v) for k, v in value.items()}
    return value


def _check_graph(steps: dict[str, Step]) -> None:
    for step in steps.values():
        for dep in step.depends_on:
            if dep not in steps:
                raise InvalidInput(f"Step {step.name!r} depends on {dep!r}, which is not a step "
                                   f"of this pipeline (steps: {', '.join(steps)}).")
            if dep == step.name:
                raise InvalidInput(f"Step {step.name!r} depends on itself.")
        for key, value in step.parameters.items():
            if isinstance(value, Reference) and value.step not in step.depends_on:
                hint = ("which is not a step of this pipeline" if value.step not in steps
                        else f"but does not depend on it: add {value.step!r} to its depends_on")
                raise InvalidInput(f"Step {step.name!r}, parameter {key!r} uses {value} of step "
                                   f"{value.step!r}, {hint}.")
    try:
        TopologicalSorter({n: s.depends_on for n, s in steps.items()}).prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        raise InvalidInput("The steps depend on each other in a cycle: "
                           f"{' -> '.join(reversed(cycle))}; a pipeline must be acyclic.") from None


def resolve_parameters(step: Step, outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The step's parameters with each ${step.output} replaced by that output's value."""
    resolved = {}
    for key, value in step.parameters.items():
        if isinstance(value, Reference):
            produced = outputs.get(value.step, {})
            if value.output not in produced:
                have = ", ".join(sorted(produced)) or "none"
                raise InvalidInput(f"Step {value.step!r} recorded no output {value.output!r} "
                                   f"(its outputs: {have}); step {step.name!r} needs it for "
                                   f"parameter {key!r}. Record it with "
                                   f"ml.output({value.output!r}, value).")
            resolved[key] = produced[value.output]
        else:
            resolved[key] = value
    return resolved


def apply_overrides(dag: Dag, overrides: dict[str, Any] | None) -> Dag:
    """`{"alpha": 1}` sets alpha on every step that has that parameter; `{"train.alpha": 1}`
    sets it on step train only (and may add a parameter the file does not list)."""
    if not overrides:
        return dag
    if not isinstance(overrides, dict):
        raise InvalidInput("Parameters must be a mapping of name (or step.name) to value.")
    steps = {n: dict(s.parameters) for n, s in dag.steps.items()}
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise InvalidInput(f"Parameter name {key!r} must be text.")
        step_name, _, name = key.rpartition(".")
        check_parameters({name: value})
        if step_name:
            if step_name not in steps:
                raise InvalidInput(f"Parameter {key!r}: there is no step {step_name!r} "
                                   f"(steps: {', '.join(steps)}).")
            steps[step_name][name] = value
            continue
        having = [n for n, p in steps.items() if name in p]
        if not having:
            raise InvalidInput(f"No step has a parameter {name!r}; name the step as "
                               f"STEP.{name} to add it to one step.")
        for n in having:
            steps[n][name] = value
    new = {n: Step(name=s.name, notebook=s.notebook, parameters=steps[n],
                   depends_on=s.depends_on, timeout=s.timeout) for n, s in dag.steps.items()}
    return Dag(name=dag.name, file=dag.file, steps=new, concurrency=dag.concurrency,
               description=dag.description)


def _encode(value):
    """Stored tagged, so a reference and a literal value can never be mistaken."""
    if isinstance(value, Reference):
        return {"$ref": f"{value.step}.{value.output}"}
    return {"$value": value}


def _decode(doc):
    if "$ref" in doc:
        step, output = doc["$ref"].split(".", 1)
        return Reference(step, output)
    return doc["$value"]
