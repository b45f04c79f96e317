"""The environment a pipeline run ran in, and what changed since: Python, platform, every
installed distribution and the git commit of the notebook's folder."""

from __future__ import annotations

import platform
from importlib import metadata


def current_environment(folder: str | None = None) -> dict:
    packages = {}
    for dist in metadata.distributions():
        name = (dist.metadata.get("Name") or "").lower()
        if name:
            packages[name] = dist.version
    env = {"python": platform.python_version(), "platform": platform.platform(terse=True),
           "packages": dict(sorted(packages.items()))}
    if folder:
        try:
            from ...tracking.capture_git import git_state

            git = git_state(folder)
            if git:
                env["git"] = git
        except Exception:  # noqa: BLE001 - no git, not a repository
            pass
    return env


def environment_diff(before: dict, after: dict) -> dict:
    """What differs: python, platform, git commit, and packages added/removed/changed."""
    diff: dict = {}
    for key in ("python", "platform"):
        if before.get(key) != after.get(key):
            diff[key] = {"before": before.get(key), "after": after.get(key)}
    commit_before = (before.get("git") or {}).get("commit")
    commit_after = (after.get("git") or {}).get("commit")
    if commit_before != commit_after:
        diff["git_commit"] = {"before": commit_before, "after": commit_after}
    old, new = before.get("packages") or {}, after.get("packages") or {}
    changed = {name: {"before": old.get(name), "after": new.get(name)}
               for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)}
    if changed:
        diff["packages"] = changed
    return diff
