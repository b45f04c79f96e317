"""An evaluation as one screen of text (the CLI, a notebook's repr, the webhook's summary)."""

from __future__ import annotations


def _interval(i: dict, signed: bool = False) -> str:
    f = "{:+.4f}" if signed else "{:.4f}"
    return f"{f.format(i['value'])} [{f.format(i['low'])}, {f.format(i['high'])}]"


def _data(doc: dict) -> str:
    d = doc["data"]
    return f"{d['snapshot']} ({d['rows']:,} rows, label {d['label']})"


_METHOD = {"delong": "DeLong's paired test", "bootstrap": "paired bootstrap"}


def _mark(guardrail: dict) -> str:
    if guardrail.get("checked") is False:
        return "?   "  # nothing to compare: neither held nor failed
    return "ok  " if guardrail["passed"] else "FAIL"


def summary(doc: dict) -> str:
    return gate_summary(doc) if doc["kind"] == "gate" else benchmark_summary(doc)


def gate_summary(doc: dict) -> str:
    ch, cp = doc["challenger"], doc["champion"]
    verdict = "PASSED" if doc["passed"] else "FAILED"
    method = "DeLong" if doc["method"] == "delong" else f"paired bootstrap ({doc['resamples']:,})"
    lines = [
        f"Gate #{doc['id']} {verdict}: {doc['model']} version {ch['version']} (challenger, "
        f"{ch['ref']}) against version {cp['version']} (champion, {cp['ref']})",
        f"  {doc['metric']} on {_data(doc)}; {method}, {doc['confidence']:.0%} interval",
        f"  challenger   {_interval(ch)}",
        f"  champion     {_interval(cp)}",
        f"  improvement  {_interval(doc['improvement'], signed=True)}   needed: all of it "
        f"above {doc['margin']:+.4f}",
    ]
    if doc["guardrails"]:
        lines.append("  guardrails")
        width = max(len(g["name"]) for g in doc["guardrails"])
        lines += [f"    {_mark(g)} {g['name']:<{width}}  {g['detail']}"
                  for g in doc["guardrails"]]
    lines += [f"  Failed: {reason}" for reason in doc["reasons"]]
    promoted = doc.get("promoted")
    if promoted:
        before = promoted["from_version"]
        lines.append(f"  Moved {promoted['alias']} from "
                     f"{'nowhere' if before is None else f'version {before}'} to version "
                     f"{promoted['to_version']}.")
    elif doc.get("promotion_skipped"):
        lines.append(f"  Not promoted: {doc['promotion_skipped']}")
    lines.append(f"  ({doc['seconds']:.1f} s)")
    return "\n".join(lines)


def benchmark_summary(doc: dict) -> str:
    metrics = doc["metrics"]
    methods = ", ".join(f"{m} by {_METHOD[how]}" for m, how in doc["methods"].items())
    if "bootstrap" in doc["methods"].values():
        methods += f"; {doc['resamples']:,} resamples, seed {doc['seed']}"
    lines = [f"Benchmark #{doc['id']}: {doc['model']} on {_data(doc)}; "
             f"{doc['confidence']:.0%} intervals ({methods})",
             "  " + "  ".join([f"{'rank':<4}", f"{'version':<8}"]
                              + [f"{m:<26}" for m in metrics]
                              + [f"behind the leader ({metrics[0]})"])]
    for row in doc["leaderboard"]:
        behind = row["behind_leader"]
        lines.append("  " + "  ".join(
            [f"{row['rank']:<4}", f"{row['version']:<8}"]
            + [f"{_interval(row['values'][m]):<26}" for m in metrics]
            + ["-" if behind is None else _interval(behind, signed=True)]))
    lines.append(f"  ({doc['seconds']:.1f} s)")
    return "\n".join(lines)
