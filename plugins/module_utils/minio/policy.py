# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Canned policies: the one converge of minio_policies (a list) and minio_policy (a one-item list).

One answer holds every canned policy with its document; policies are compared by meaning
(policy_doc.py), and only the ones that differ are written.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import DEFAULT_WORKERS
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    duplicate_problems,
    fail_on,
    item_result,
    parallel,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    normalise_policy,
    policies_equal,
)

POLICY_OPTIONS = dict(
    name=dict(type="str", required=True),
    policy=dict(type="raw"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)


def wanted_policies(items):
    """(name -> wanted document, problems) of the items."""
    problems, wanted = [], {}
    for item in items:
        if not item["name"] or "," in item["name"]:
            problems.append("policy name %r must be non-empty without ','" % item["name"])
        if item["state"] != "present":
            continue
        if item.get("policy") is None:
            problems.append("policy %s: policy is required with state present" % item["name"])
            continue
        try:
            wanted[item["name"]] = load_policy(item["policy"])
        except PolicyError as exc:
            problems.append("policy %s: %s" % (item["name"], exc))
    return wanted, problems + duplicate_problems(items, "name", "policies")


def converge_policies(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    wanted, problems = wanted_policies(items)
    fail_on(problems)
    existing = admin.policies()

    def converge(item):
        name, current = item["name"], existing.get(item["name"])
        want = wanted.get(name)
        if item["state"] == "absent":
            actions = ["deleted"] if current is not None else []
            if actions and not check_mode:
                admin.remove_policy(name)
        elif policies_equal(current, want):
            actions = []
        else:
            actions = ["created" if current is None else "updated"]
            if not check_mode:
                admin.add_policy(name, want)
        after = want if actions else current
        return item_result("name", name, item, actions, _normalised(current), _normalised(after),
                           _policy=after if item["state"] == "present" else current)

    return parallel(converge, items, workers)


def _normalised(policy):
    return normalise_policy(policy) if policy is not None else None
