# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The MLflow side of common/thread_pool: per-object requests on at most `workers` threads, and
their failures raised as one error whose message is safe to show.

At hundreds of tenants, handling the listed users, workspaces or memberships one after the other
is what takes the time: each `users/current` password check and each new user costs a password
hash on the server (CPU-bound, and the server's several workers can run them at once), each other
request a round trip. Every converge of module_utils/mlflow runs its per-object part through run_all.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common import thread_pool
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError

DEFAULT_WORKERS = thread_pool.DEFAULT_WORKERS


def run_all(func, items, workers=DEFAULT_WORKERS):
    """func(item) for each item on at most `workers` threads, in order; every item runs, then the
    first failure (an MlflowError or ValueError, whose messages are safe) is raised with a count."""
    results, failures = thread_pool.run_all(func, items, workers, (MlflowError, ValueError))
    if failures:
        first = failures[0]
        if len(failures) > 1:
            message = "%s (and %d more failed requests)" % (first, len(failures) - 1)
            raise (MlflowError(message, getattr(first, "status", None), getattr(first, "error_code", None))
                   if isinstance(first, MlflowError) else ValueError(message))
        raise first
    return results
