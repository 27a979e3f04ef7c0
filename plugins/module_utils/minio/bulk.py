# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every MinIO converge (bucket, policy, user, service_account) shares: the thread pool for
the per-object requests, the checks of a whole list before anything changes, and the result.

A converge turns a list of items into one result dict per item. Besides its public keys, an item
result carries `_before` and `_after` (the diff views of the object) and may carry `_warnings`;
list_result() gathers those into the list modules' result, single_result() into a single one's.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common.lists import changed_diff, listed_twice
from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import DEFAULT_WORKERS, run_all
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError


def parallel(func, items, workers=DEFAULT_WORKERS):
    """func(item) for every item on at most `workers` threads, results in order.

    Every call runs even when one fails; then the failures are raised as one MinioModuleError
    naming each (the messages are the safe ones of minio/errors.py).
    """
    results, errors = run_all(func, items, workers, MinioModuleError)
    if errors:
        more = " (and %d more)" % (len(errors) - 5) if len(errors) > 5 else ""
        raise MinioModuleError("; ".join(str(exc) for exc in errors[:5]) + more)
    return results


def fail_on(problems):
    if problems:
        raise MinioModuleError("nothing was changed: " + "; ".join(problems))


def duplicate_problems(items, key, kind):
    dup = listed_twice(item[key] for item in items)
    return ["%s listed more than once: %s" % (kind, ", ".join(dup))] if dup else []


def secret_to_set(conn, item, current_status, kind, warnings):
    """Whether an existing user's or service account's secret must be set: True, False, or None when
    it is disabled and to be enabled (only enabled can it be checked). A given secret is checked
    with one signed request; a secret that is and stays disabled cannot be, and is left alone."""
    if not item.get("secret_key") or item["update_password"] != "always":  # noqa: S105 - a choice
        return False
    if current_status == "enabled":
        return not conn.secret_works(item["access_key"], item["secret_key"])
    if item["status"] == "disabled":
        warnings.append("%s %s is disabled, so MinIO cannot tell whether its secret matches secret_key; "
                        "the secret was left as it is" % (kind, item["access_key"]))
        return False
    return None


def item_result(key, name, item, actions, before, after, **extra):
    """One item's result: its name under `key`, the wanted state, what was done, the diff views."""
    return dict({key: name, "state": item["state"], "changed": bool(actions), "actions": actions,
                 "_before": before, "_after": after}, **extra)


def list_result(results, option, key):
    """The result of a list module: every item result under `option`, and one diff keyed by `key`
    of the items that changed."""
    warnings = [warning for result in results for warning in result.get("_warnings", [])]
    diff = changed_diff(results, lambda result: result[key])
    return {"changed": any(r["changed"] for r in results), option: results, "diff": diff, "warnings": warnings}


def single_result(results):
    """The one item result of a single module (private keys included, for the module to pick from),
    its diff and its warnings."""
    result = dict(results[0])
    diff = {"before": result.pop("_before"), "after": result.pop("_after")}
    return result, diff, result.pop("_warnings", [])
