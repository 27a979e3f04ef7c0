# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Users: the one converge of minio_users (a list) and minio_user (a one-item list).

One (encrypted) answer lists every user with its status and policies; a given secret is checked
with one signed request (MinIO never tells a secret). MinIO's add-user replaces the secret and
re-enables a disabled user at once: it is only sent when the user is missing or its secret must
change, and the wanted status is applied after it.
"""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.module_utils.common.secrets import generate_secret
from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import DEFAULT_WORKERS
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    duplicate_problems,
    fail_on,
    item_result,
    parallel,
    secret_to_set,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import key_problem

MASK, NEW_MASK = "********", "******** (new)"  # the masks of the diff, not secrets


def user_options(random_secret):
    """The options of a user; `random_secret` is the default of the option of that name."""
    return dict(
        access_key=dict(type="str", required=True, no_log=False),
        secret_key=dict(type="str", no_log=True),
        update_password=dict(type="str", default="always", choices=["always", "on_create"], no_log=False),
        random_secret=dict(type="bool", default=random_secret),
        policies=dict(type="list", elements="str"),
        status=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )


def check_users(items, existing, admin, check_mode):
    """Refuse bad entries before the first change: keys, secrets, creations without a secret, and
    policies that do not exist (not in check mode, where an earlier task may not have made them)."""
    problems = [p for p in (key_problem(i["access_key"], i.get("secret_key")) for i in items) if p]
    problems += duplicate_problems(items, "access_key", "users")
    present = [i for i in items if i["state"] == "present"]
    problems += ["user %s does not exist: give secret_key to create it (or random_secret: true)" % i["access_key"]
                 for i in present if i["access_key"] not in existing and not i.get("secret_key")
                 and not i.get("random_secret")]
    new = {p for i in present for p in set(i.get("policies") or [])
           - set(existing.get(i["access_key"], {}).get("policies", []))}
    if new and not problems and not check_mode:
        missing = sorted(new - admin.policy_names())
        if missing:
            problems.append("policies %s do not exist on MinIO; create them first (onprem.mlflow.minio_policy)"
                            % ", ".join(missing))
    fail_on(problems)


def converge_users(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    existing = admin.users()
    check_users(items, existing, admin, check_mode)

    def converge(item):
        current = existing.get(item["access_key"])
        if item["state"] == "absent":
            return remove(admin, item, current, check_mode)
        return ensure(conn, admin, item, current, check_mode)

    return parallel(converge, items, workers)


def view(access_key, user):
    return dict(user, access_key=access_key) if user else {}


def remove(admin, item, current, check_mode):
    key = item["access_key"]
    if current is not None and not check_mode:
        admin.remove_user(key)  # also removes the user's service accounts
    return item_result("access_key", key, item, ["deleted"] if current else [], view(key, current), {},
                       user={}, secret_changed=False, _user=view(key, current))


def ensure(conn, admin, item, current, check_mode):
    key, actions, warnings = item["access_key"], [], []
    have = current or {"status": None, "policies": []}
    want = {"status": item["status"], "policies": sorted(set(item["policies"])) if item.get("policies") is not None
            else have["policies"]}
    set_secret = True if current is None else secret_to_set(conn, item, current["status"], "user", warnings)
    status = have["status"]
    if set_secret is None and check_mode:
        set_secret = True  # only enabling it would tell; check mode enables nothing
    elif set_secret is None:  # disabled, to be enabled: enable, then check
        admin.set_user_status(key, "enabled")
        status = "enabled"
        set_secret = not conn.secret_works(key, item["secret_key"])
    if set_secret:
        actions.append("created" if current is None else "secret set")
        if not check_mode:
            # Without a secret (random_secret): nobody logs in as this user, its service accounts are
            # what is handed out; the random secret is not kept.
            admin.add_user(key, item.get("secret_key") or generate_secret())  # also enables the user
        status = "enabled"
    if (have["status"] or "enabled") != want["status"]:
        actions.append(want["status"])
    if status != want["status"] and not check_mode:
        admin.set_user_status(key, want["status"])
    actions += policy_actions(have["policies"], want["policies"])
    if not check_mode:
        admin.set_user_policies(key, want["policies"], have["policies"])
    before, after = view(key, current), view(key, want)
    if set_secret:
        if current:
            before["secret_key"] = MASK
        after["secret_key"] = NEW_MASK
    return item_result("access_key", key, item, actions, before, after, user=view(key, want),
                       secret_changed=bool(set_secret), _user=view(key, want), _warnings=warnings)


def policy_actions(have, want):
    attach, detach = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    actions = ["attached %s" % ", ".join(attach)] if attach else []
    return actions + (["detached %s" % ", ".join(detach)] if detach else [])
