# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MLflow users and memberships in bulk with the per-object requests on a bounded thread pool.

mlflow_users and mlflow_workspace_members read one list per kind and then handle the listed
objects one after the other. At hundreds of tenants that sequence is what takes the time: each
`users/current` password check and each new user costs a password hash on the server
(CPU-bound, and the server's several workers can run them at once), each other request a round
trip. These functions run the very same per-object functions (mlflow_users.converge_user,
mlflow_members.converge_member) on at most `workers` threads, after the same checks before any
change, and return the same shape of result. (Folding a `workers` option into mlflow_users
would make mlflow_users_parallel unnecessary.)
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_client import MlflowError
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_members import converge_member
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_users import converge_user, validate_user

DEFAULT_WORKERS = 8


def run_all(func, items, workers):
    """func(item) for each item on at most `workers` threads, in order; every item runs, then the
    first failure (an MlflowError or ValueError, whose messages are safe) is raised with a count."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(items)))) as pool:
        futures = [pool.submit(func, item) for item in items]
    results, failures = [], []
    for future in futures:
        try:
            results.append(future.result())
        except (MlflowError, ValueError) as exc:
            failures.append(exc)
    if failures:
        first = failures[0]
        if len(failures) > 1:
            message = "%s (and %d more failed requests)" % (first, len(failures) - 1)
            raise (MlflowError(message, getattr(first, "status", None), getattr(first, "error_code", None))
                   if isinstance(first, MlflowError) else ValueError(message))
        raise first
    return results


def _duplicates(names):
    return sorted({name for name in names if names.count(name) > 1})


def converge_users(client, items, check_mode, workers=DEFAULT_WORKERS):
    """mlflow_users.converge_users with the per-user work on a thread pool."""
    errors = [msg for msg in (validate_user(item, client.username) for item in items) if msg]
    duplicates = _duplicates([item["username"] for item in items])
    if duplicates:
        errors.append("users listed more than once: %s" % ", ".join(duplicates))
    if errors:
        raise ValueError("; ".join(errors))
    existing = dict((user["username"], user) for user in client.list_users())
    missing_password = [item["username"] for item in items
                        if item["state"] == "present" and item["username"] not in existing and not item.get("password")]
    if missing_password:
        raise ValueError("password is required to create user(s) %s" % ", ".join(missing_password))

    results = run_all(lambda item: converge_user(client, item, existing.get(item["username"]), check_mode),
                      items, workers)
    before, after = {}, {}
    for result in results:
        previous, wanted = result.pop("_before"), result.pop("_after")
        if result["changed"]:
            before[result["username"]], after[result["username"]] = previous, wanted
    return dict(changed=bool(before), users=results, diff=dict(before=before, after=after))


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
