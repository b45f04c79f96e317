"""Feature references as users write them: "set:feature", "set@v2:feature" (a pinned version),
"set:*" (every feature of the set)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidInput

_VERSION = re.compile(r"^v?([1-9][0-9]{0,8})$")


@dataclass(frozen=True)
class FeatureRef:
    feature_set: str
    version: int | None
    feature: str  # "*" for all


def parse_refs(features) -> list[FeatureRef]:
    if isinstance(features, str):
        features = [features]
    if not isinstance(features, (list, tuple)) or not features:
        raise InvalidInput("features is a non-empty list like ['customer_stats:total_spend'].")
    refs, seen = [], set()
    for text in features:
        ref = parse_ref(text)
        if ref not in seen:
            seen.add(ref)
            refs.append(ref)
    return refs


def parse_ref(text) -> FeatureRef:
    if not isinstance(text, str) or ":" not in text:
        raise InvalidInput(f"A feature is named 'feature_set:feature' (or 'feature_set@v2:feature' "
                           f"for a pinned version), not {text!r}.")
    head, feature = text.split(":", 1)
    name, _, version_text = head.partition("@")
    name, feature = name.strip(), feature.strip()
    if not name or not feature:
        raise InvalidInput(f"{text!r} names no feature set or no feature.")
    version = None
    if version_text:
        match = _VERSION.match(version_text.strip())
        if not match:
            raise InvalidInput(f"{text!r}: the version after '@' is a number like v2 or 2.")
        version = int(match.group(1))
    return FeatureRef(name, version, feature)


def group_refs(refs: list[FeatureRef]) -> dict[tuple[str, int | None], list[str]]:
    """Features by (feature set, version), in the order first named."""
    groups: dict[tuple[str, int | None], list[str]] = {}
    for ref in refs:
        groups.setdefault((ref.feature_set, ref.version), []).append(ref.feature)
    return groups
