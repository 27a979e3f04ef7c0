# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Per-object MLflow requests on a bounded thread pool.

At hundreds of tenants, handling the listed users or memberships one after the other is what
takes the time: each `users/current` password check and each new user costs a password hash on
the server (CPU-bound, and the server's several workers can run them at once), each other request
a round trip. run_all runs a per-object function on at most `workers` threads (thread_pool) and
raises the first failure with a count; mlflow_users uses it for its per-user work,
converge_members below for the memberships of workspace rosters (the very same
mlflow_members.converge_member, after the checks done before any change).
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common import thread_pool
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import converge_member

DEFAULT_WORKERS = 8


def run_all(func, items, workers):
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


def converge_members(client, items, users, roles, check_mode, workers=DEFAULT_WORKERS):
    """The change part of mlflow_members.converge_members on a thread pool, for items already checked
    against `users` (users/list by name) and `roles` ((workspace, role name) -> role id)."""
    results = run_all(lambda item: converge_member(client, item, users.get(item["username"]), roles, check_mode),
                      items, workers)
    before, after = {}, {}
    for result in results:
        previous = result.pop("_before")
        if result["changed"]:
            key = "%s/%s" % (result["workspace"], result["username"])
            before[key], after[key] = previous, result["roles"]
    return dict(changed=bool(before), members=results, diff=dict(before=before, after=after))
