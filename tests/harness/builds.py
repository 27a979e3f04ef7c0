"""Every slow build of the suite in one list, and a command that makes the missing ones.

    python -m harness.builds        (from tests/, with the test environment's Python)

scripts/test.sh starts this in the background as soon as the virtual environment exists, so the
builds overlap with the tiers that need none of them (lint, unit, render, molecule, the MLflow
integration tests run first: harness.budget.TIER_ORDER). A fixture that needs a binary calls
the same function; `budget.ensure` makes it wait for the background build under the build's
lock, then find it in the cache. Nothing is built twice: each build is keyed by its pin.

A background build that fails only prints why: the fixture that needs it builds it again and
fails its tests with the build's own error.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from .budget import ROLE_ENV
from .kube_cluster import _skip_reason as cluster_skip_reason
from .kube_cluster import build_binaries
from .kube_node import build_all as build_node
from .kube_node import skip_reason as node_skip_reason
from .minio_server import BINARY_ENV as MINIO_BINARY_ENV
from .minio_server import mc_binary, minio_binary
from .old_mlflow import old_mlflow_bin


def _wanted() -> list[tuple[str, Callable[[], object]]]:
    """The builds in the order the tiers need them, less the ones the environment replaces."""
    builds: list[tuple[str, Callable[[], object]]] = []
    if not os.environ.get(MINIO_BINARY_ENV):
        builds.append(("minio", minio_binary))
    builds.append(("mc", mc_binary))
    builds.append(("mlflow-previous", old_mlflow_bin))
    if not cluster_skip_reason() and not os.environ.get("ONPREM_MLFLOW_KUBE_BIN_DIR"):
        builds.append(("control plane", build_binaries))
    if not node_skip_reason():  # after the control plane: the node tier runs last
        builds.append(("real node", build_node))
    return builds


def main() -> int:
    os.environ[ROLE_ENV] = "background"
    failed = 0
    for name, build in _wanted():
        started = time.monotonic()
        try:
            build()
        except Exception as exc:  # the fixture builds again and reports the error in its test
            failed += 1
            print(f"background build of {name} failed after {time.monotonic() - started:.0f} s: {exc}",
                  file=sys.stderr, flush=True)
            continue
        print(f"background build of {name}: ready after {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
