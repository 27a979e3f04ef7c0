"""The suite's time budget: every slow build made once per pin, and a report of where the time went.

Each slow thing the suite makes (a Go server, a virtual environment of a pinned release) goes
through `ensure()`: one maker at a time per name, across processes (a file lock in the cache),
built only when missing, and recorded in the run's ledger with how long it took, whether it came
from the cache, and how long a test waited for another process (the background builder that
scripts/test.sh starts) to finish it. The pytest side orders the tiers so that the ones that need
no build run first, times each tier, and prints the ledger and the tier times at the end.

    ONPREM_MLFLOW_BUDGET_LOG=FILE   the run's ledger (JSON lines); scripts/test.sh sets it and
                                    writes its own steps there (Debian packages, the venv)
    ONPREM_MLFLOW_TEST_STARTED=T    epoch seconds at which the whole command started
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .procs import cache_dir

LEDGER_ENV = "ONPREM_MLFLOW_BUDGET_LOG"
STARTED_ENV = "ONPREM_MLFLOW_TEST_STARTED"
ROLE_ENV = "ONPREM_MLFLOW_BUILD_ROLE"  # "background" in the builder scripts/test.sh starts

# Tiers in the order they run: the ones that need no build first, so that the builds the
# background builder started have time to finish before the tiers that need them.
TIER_ORDER = (
    "collection", "lint", "unit", "render", "molecule",
    "integration/mlflow", "integration/controller", "integration",
    "integration/minio", "integration/tenants",
    "containers", "cluster", "node",
)


def ledger_path() -> Path | None:
    value = os.environ.get(LEDGER_ENV)
    return Path(value) if value else None


def record(kind: str, name: str, **fields) -> None:
    """Append one line to the run's ledger (nothing when no ledger is set)."""
    path = ledger_path()
    if path is None:
        return
    line = json.dumps({"kind": kind, "name": name, "role": os.environ.get(ROLE_ENV, "test"),
                       "pid": os.getpid(), **fields})
    with open(path, "a") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        out.write(line + "\n")


def ensure(name: str, pin: str, present: Callable[[], bool], make: Callable[[], None]) -> None:
    """Make `name` at `pin` unless `present()`; one maker at a time per name, on this machine.

    A caller that finds another process making it waits for that process, then finds it present.
    """
    asked = time.monotonic()
    with open(cache_dir(name) / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        waited = time.monotonic() - asked
        if present():
            record("build", name, pin=pin, seconds=0.0, cached=True, waited=round(waited, 1))
            return
        started = time.monotonic()
        try:
            make()
        except BaseException:
            record("build", name, pin=pin, seconds=round(time.monotonic() - started, 1), cached=False,
                   waited=round(waited, 1), failed=True)
            raise
        record("build", name, pin=pin, seconds=round(time.monotonic() - started, 1), cached=False,
               waited=round(waited, 1))


def cache_state(name: str, cached: bool, detail: str = "") -> None:
    """Record whether a cache that a test makes for itself inside its own time (the molecule node
    image, ansible-test's tool environments) was already there when the test started."""
    record("cache", name, cached=cached, detail=detail)


# --- pytest side -------------------------------------------------------------------------

def tier_of(nodeid: str) -> str:
    parts = nodeid.split("::")[0].split("/")
    if parts and parts[0] == "tests":
        parts = parts[1:]
    if not parts:
        return "other"
    if parts[0] == "integration" and len(parts) > 2:
        return f"integration/{parts[1]}"
    return parts[0] if len(parts) > 1 else "other"


def _rank(tier: str) -> int:
    return TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER)


# Which tier is running since when, and the seconds each tier took so far. Collection counts
# as a tier of its own; session fixtures' teardown counts for the last tier.
_state: dict = {"tiers": {}, "current": None, "t0": 0.0}


def _switch(tier: str | None) -> None:
    now = time.monotonic()
    if _state["current"] is not None:
        _state["tiers"][_state["current"]] = _state["tiers"].get(_state["current"], 0.0) + now - _state["t0"]
    _state["current"], _state["t0"] = tier, now


def pytest_configure(config):
    if ledger_path() is None:  # a plain `pytest` run: a ledger of its own, for the report
        fd, path = tempfile.mkstemp(prefix="onprem-mlflow-budget-", suffix=".jsonl")
        os.close(fd)
        os.environ[LEDGER_ENV] = path


def pytest_sessionstart(session):
    _switch("collection")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Run the tiers in TIER_ORDER; within a tier, files and tests keep their order."""
    items[:] = sorted(items, key=lambda item: _rank(tier_of(item.nodeid)))


def pytest_runtest_logstart(nodeid, location):
    if _state["current"] != tier_of(nodeid):
        _switch(tier_of(nodeid))


def pytest_sessionfinish(session):
    _switch(None)


def _read_ledger() -> list[dict]:
    path = ledger_path()
    if path is None or not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError):
            rows.append(json.loads(line))
    return rows


def _build_lines(rows: list[dict]) -> list[str]:
    """One line per build: built (where, how long) or from the cache, and how long tests waited."""
    builds: dict[str, dict] = {}
    for row in rows:
        if row.get("kind") != "build":
            continue
        entry = builds.setdefault(row["name"], {"pin": row.get("pin", ""), "built": None, "waited": 0.0,
                                                "failed": False})
        if not row.get("cached"):
            entry["built"] = (row.get("seconds", 0.0), row.get("role"))
            entry["failed"] = entry["failed"] or bool(row.get("failed"))
        if row.get("role") != "background":
            entry["waited"] = max(entry["waited"], row.get("waited", 0.0))
    lines = []
    for name, entry in builds.items():
        if entry["failed"]:
            what = f"FAILED after {entry['built'][0]:.0f} s ({entry['built'][1]})"
        elif entry["built"]:
            what = f"built in {entry['built'][0]:.0f} s ({entry['built'][1]})"
        else:
            what = "from the cache"
        lines.append(f"  build {name:<22} {what:<34} tests waited {entry['waited']:>4.0f} s   {entry['pin']}")
    return lines


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = _read_ledger()
    tw = terminalreporter
    tw.write_sep("-", "time budget")
    for row in rows:
        if row.get("kind") == "step":  # what scripts/test.sh did before pytest
            cached = "from the cache" if row.get("cached") else "made"
            tw.write_line(f"  step  {row['name']:<22} {row.get('seconds', 0):>5.0f} s   {cached}"
                          + (f"   {row['detail']}" if row.get("detail") else ""))
    for line in _build_lines(rows):
        tw.write_line(line)
    for row in rows:
        if row.get("kind") == "cache":
            state = "from the cache" if row.get("cached") else "made inside its test's time"
            tw.write_line(f"  cache {row['name']:<22} {state:<34} {row.get('detail', '')}")
    tiers = _state["tiers"]
    for tier in sorted(tiers, key=_rank):
        tw.write_line(f"  tier  {tier:<22} {tiers[tier]:>5.0f} s")
    started = os.environ.get(STARTED_ENV)
    total = sum(tiers.values())
    tw.write_line(f"  pytest {total:>27.0f} s")
    if started:
        tw.write_line(f"  whole command {time.time() - float(started):>20.0f} s")
