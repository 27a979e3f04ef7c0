# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-object requests on a bounded thread pool, for the list modules of both services.

At hundreds of tenants the per-object requests (password and secret checks, creations) cost
their latency and the servers' password hashing, which the servers run on all their cores:
a few requests in flight at once take a fraction of the time they take one after the other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

# Requests in flight at once by default: enough to hide the latency of one request and the
# servers' password hashing, few enough not to crowd a small server.
DEFAULT_WORKERS = 8
WORKERS_OPTION = dict(type="int", default=DEFAULT_WORKERS)


def workers_problem(workers):
    """Why `workers` (the list modules' option) is not usable, or None: one or more threads."""
    if workers is not None and workers < 1:
        return "workers must be 1 or more (requests in flight at once), not %d" % workers
    return None


def run_all(func, items, workers, expected):
    """func(item) for every item on at most `workers` threads.

    Every item runs, even when others fail. Returns (results in the order of items, failures):
    an item that raised one of the `expected` exception types has None as its result and its
    exception in failures (in item order). Any other exception is raised as it is.
    """
    if not items:
        return [], []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        futures = [pool.submit(func, item) for item in items]
    results, failures = [], []
    for future in futures:
        try:
            results.append(future.result())
        except expected as exc:
            failures.append(exc)
            results.append(None)
    return results, failures
