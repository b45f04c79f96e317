"""Cron schedules of notebooks: create, edit, enable/disable, delete, and their next fire times.

A schedule is a five-field cron expression read in a time zone (croniter + zoneinfo), a
notebook and its parameters, and explicit policies: what to do with ticks missed while no
scheduler ran ("skip" or "run_once"), how many of its runs may wait in the queue at once
(`max_queued`, default 1: a tick that finds them there is skipped) and how many runs' output
notebooks to keep (`keep_last`). The scheduler (scheduler.py) fires them.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ...clock import now_ms
from ...errors import Conflict, InvalidInput, NotFound
from ...naming import clean_name
from ...store import Store
from ...store.tables.pipelines import schedules as sc
from ..runs.notebooks import local_notebook
from ..runs.parameters import check_declared, check_parameters
from .entities import MISSED_POLICIES, Schedule

NEXT_TIMES = 5
_UNSET = object()


FIELDS = "minute hour day-of-month month day-of-week"


def check_cron(cron) -> str:
    """A five-field cron expression that fires at some time; anything else is refused (a
    sixth field would be seconds to croniter: a tick every second floods the queue)."""
    from croniter import croniter

    if not isinstance(cron, str) or not cron.strip():
        raise InvalidInput("Give a cron expression such as '0 6 * * *' (minute hour day month "
                           "weekday).")
    cron = " ".join(cron.split())
    if len(cron) > 200 or not croniter.is_valid(cron):
        raise InvalidInput(f"{cron[:200]!r} is not a cron expression: use five fields, "
                           f"{FIELDS}, e.g. '*/15 * * * *'.")
    if len(cron.split()) != 5:
        raise InvalidInput(f"{cron!r} has {len(cron.split())} fields: a schedule's cron has "
                           f"five, {FIELDS}, e.g. '*/15 * * * *' (schedules fire at most once "
                           "a minute).")
    if not fire_times(cron, "UTC", now_ms(), 1):
        raise InvalidInput(f"{cron!r} never fires: no date matches it (such as 31 February). "
                           "Check the day-of-month and month fields.")
    return cron


def check_timezone(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("Give a time zone such as 'UTC' or 'Europe/Paris'.")
    try:
        ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"{name[:100]!r} is not a known time zone: use an IANA name such as "
                           "'UTC' or 'Europe/Paris'.") from None
    return name.strip()


def fire_times(cron: str, tz: str, after_ms: int, count: int | None = None,
               until_ms: int | None = None) -> list[int]:
    """Fire times (ms) strictly after `after_ms`: `count` of them, or all up to `until_ms`."""
    from croniter import croniter

    start = datetime.fromtimestamp(after_ms / 1000, tz=ZoneInfo(tz))
    it = croniter(cron, start)
    found = []
    while count is None or len(found) < count:
        try:
            nxt = int(round(it.get_next(float) * 1000))
        except ValueError:  # CroniterBadDateError: no (further) date matches, e.g. 31 Feb
            break
        if until_ms is not None and nxt > until_ms:
            break
        if nxt > after_ms:
            found.append(nxt)
        if len(found) > 100_000:
            break
    return found


def local_times(times: list[int], tz: str) -> list[str]:
    """Fire times (ms) in the schedule's time zone, ISO 8601 with the offset."""
    zone = ZoneInfo(tz)
    return [datetime.fromtimestamp(t / 1000, tz=zone).isoformat() for t in times]


def default_name(notebook: str | os.PathLike, cron: str) -> str:
    """A schedule's name when none is given: the notebook's name and its cron."""
    return f"{Path(notebook).stem} {cron}"


class ScheduleService:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    def create(self, notebook: str | os.PathLike, cron: str, parameters: dict | None = None, *,
               name: str | None = None, timezone: str = "UTC", missed: str = "skip",
               keep_last: int | None = None, timeout: float | None = None, retries: int = 0,
               enabled: bool = True, experiment: str | None = None, max_queued: int = 1,
               now: int | None = None) -> Schedule:
        path = local_notebook(notebook)
        check_declared(path, parameters)
        cron, timezone = check_cron(cron), check_timezone(timezone)
        now = now_ms() if now is None else now
        row = dict(
            id=uuid.uuid4().hex,
            name=clean_name(name if name is not None else default_name(path, cron),
                            "schedule name"),
            notebook=str(path), parameters=json.dumps(check_parameters(parameters)), cron=cron,
            timezone=timezone, enabled=_bool(enabled, "enabled"), missed=_missed(missed),
            keep_last=_keep_last(keep_last), timeout=_timeout(timeout),
            retries=_retries(retries),
            experiment=clean_name(experiment, "experiment") if experiment else None,
            max_queued=_max_queued(max_queued), next_fire_at=_next(cron, timezone, now),
            created_at=now, updated_at=now)
        try:
            with self.db.write() as conn:
                conn.execute(insert(sc).values(row))
        except IntegrityError:
            raise Conflict(f"A schedule named {row['name']!r} exists already: choose another "
                           "name, or edit that schedule.") from None
        return self.get(row["id"])

    def get(self, id_or_name: str) -> Schedule:
        text = str(id_or_name).strip()
        with self.db.read() as conn:
            row = conn.execute(select(sc).where(or_(sc.c.id == text.lower(), sc.c.name == text))
                               ).first()
        if row is None:
            raise NotFound(f"No schedule with id or name {text[:200]!r} "
                           "(see `mlops-lab schedules list`).")
        return _entity(row._mapping, with_next=True)

    def list(self) -> list[Schedule]:
        with self.db.read() as conn:
            rows = conn.execute(select(sc).order_by(sc.c.created_at, sc.c.id)).all()
        return [_entity(r._mapping, with_next=True) for r in rows]

    def enabled(self) -> list[dict]:
        with self.db.read() as conn:
            return [dict(r._mapping) for r in
                    conn.execute(select(sc).where(sc.c.enabled.is_(True))).all()]

    def update(self, id_or_name: str, *, notebook=_UNSET, cron=_UNSET, parameters=_UNSET,
               name=_UNSET, timezone=_UNSET, missed=_UNSET, keep_last=_UNSET, timeout=_UNSET,
               retries=_UNSET, enabled=_UNSET, experiment=_UNSET, max_queued=_UNSET,
               now: int | None = None) -> Schedule:
        current = self.get(id_or_name)
        now = now_ms() if now is None else now
        values: dict = {}
        if notebook is not _UNSET:
            values["notebook"] = str(local_notebook(notebook))
        if cron is not _UNSET:
            values["cron"] = check_cron(cron)
        if timezone is not _UNSET:
            values["timezone"] = check_timezone(timezone)
        if parameters is not _UNSET:
            values["parameters"] = json.dumps(check_parameters(parameters))
        if name is not _UNSET:
            values["name"] = clean_name(name, "schedule name")
        if missed is not _UNSET:
            values["missed"] = _missed(missed)
        if keep_last is not _UNSET:
            values["keep_last"] = _keep_last(keep_last)
        if timeout is not _UNSET:
            values["timeout"] = _timeout(timeout)
        if retries is not _UNSET:
            values["retries"] = _retries(retries)
        if experiment is not _UNSET:
            values["experiment"] = clean_name(experiment, "experiment") if experiment else None
        if enabled is not _UNSET:
            values["enabled"] = _bool(enabled, "enabled")
        if max_queued is not _UNSET:
            values["max_queued"] = _max_queued(max_queued)
        if name is _UNSET and current.name == default_name(current.notebook, current.cron):
            # A name made from the notebook and cron follows them; a name the user chose stays.
            renamed = default_name(values.get("notebook", current.notebook),
                                   values.get("cron", current.cron))
            if renamed != current.name:
                values["name"] = clean_name(renamed, "schedule name")
        if "notebook" in values or "parameters" in values:
            check_declared(values.get("notebook", current.notebook),
                           json.loads(values["parameters"]) if "parameters" in values
                           else current.parameters)
        turned_on = values.get("enabled") is True and not current.enabled
        if "cron" in values or "timezone" in values or turned_on:
            # From now on: a changed or re-enabled schedule does not fire ticks of the past.
            values["next_fire_at"] = _next(values.get("cron", current.cron),
                                           values.get("timezone", current.timezone), now)
        if not values:
            return current
        values["updated_at"] = now
        try:
            with self.db.write() as conn:
                conn.execute(update(sc).where(sc.c.id == current.id).values(values))
        except IntegrityError:
            raise Conflict(f"A schedule named {values.get('name')!r} exists already.") from None
        return self.get(current.id)

    def enable(self, id_or_name: str) -> Schedule:
        return self.update(id_or_name, enabled=True)

    def disable(self, id_or_name: str) -> Schedule:
        return self.update(id_or_name, enabled=False)

    def delete(self, id_or_name: str) -> None:
        """Deletes the schedule; its past pipeline runs stay."""
        current = self.get(id_or_name)
        with self.db.write() as conn:
            conn.execute(delete(sc).where(sc.c.id == current.id))


def _entity(row, with_next: bool = False) -> Schedule:
    nxt = []
    if with_next and row["enabled"] and row["next_fire_at"] is not None:
        nxt = [row["next_fire_at"]] + fire_times(row["cron"], row["timezone"],
                                                 row["next_fire_at"], NEXT_TIMES - 1)
    return Schedule(
        id=row["id"], name=row["name"], notebook=row["notebook"],
        parameters=json.loads(row["parameters"]), cron=row["cron"], timezone=row["timezone"],
        enabled=bool(row["enabled"]), missed=row["missed"], created_at=row["created_at"],
        updated_at=row["updated_at"], keep_last=row["keep_last"], timeout=row["timeout"],
        retries=row["retries"], experiment=row["experiment"],
        max_queued=row.get("max_queued") or 1, next_fire_at=row["next_fire_at"],
        next_fire_times=nxt, next_fire_times_local=local_times(nxt, row["timezone"]))


def _next(cron: str, tz: str, now: int) -> int | None:
    found = fire_times(cron, tz, now, 1)
    return found[0] if found else None


def _max_queued(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise InvalidInput("max_queued must be a whole number from 1 to 1000: how many runs of "
                           "the schedule may wait in the queue before a tick is skipped.")
    return value


def _missed(value) -> str:
    if value not in MISSED_POLICIES:
        raise InvalidInput(f"missed must be 'skip' (ticks missed while no scheduler ran are "
                           f"dropped) or 'run_once' (one run for them), not {value!r}.")
    return value


def _keep_last(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1_000_000:
        raise InvalidInput("keep_last must be a whole number of runs (1 or more), or null to "
                           "keep every output.")
    return value


def _timeout(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e9:
        raise InvalidInput("timeout must be a positive number of seconds, or null.")
    return float(value)


def _retries(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise InvalidInput("retries must be a whole number from 0 to 100.")
    return value


def _bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.")
    return value
