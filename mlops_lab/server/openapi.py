"""The REST API's OpenAPI 3.1 document, kept as one YAML file per part in `openapi/` and
merged here (a path or component defined twice is an error, not a silent overwrite)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).with_name("openapi")
PARTS = ("base", "tracking", "datasets", "features", "models", "evaluation", "serving",
         "pipelines", "dags", "monitors", "alerts", "retraining")


@lru_cache(maxsize=1)
def document() -> dict:
    import yaml

    merged: dict = {}
    for part in PARTS:
        doc = yaml.safe_load((FOLDER / f"{part}.yaml").read_text(encoding="utf-8")) or {}
        for key, value in doc.items():
            if key == "paths":
                _merge(merged.setdefault("paths", {}), value or {}, part, "paths")
            elif key == "components":
                components = merged.setdefault("components", {})
                for section, entries in (value or {}).items():
                    _merge(components.setdefault(section, {}), entries or {}, part, section)
            else:
                merged[key] = value
    return merged


def _merge(into: dict, entries: dict, part: str, section: str) -> None:
    for name, value in entries.items():
        if name in into:
            raise ValueError(f"openapi/{part}.yaml defines {section} {name!r} again")
        into[name] = value
