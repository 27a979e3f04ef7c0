# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Service accounts: the one converge of minio_service_accounts (a list) and minio_service_account
(a one-item list).

One request lists every service account with its parent; each listed account that exists is then
read (status, inline policy, name, description, expiration: the listing does not carry them) and,
when a secret is given, checked with one signed request (MinIO never tells a secret). Every
update resends the inline policy, because MinIO drops it otherwise.
"""

from __future__ import annotations

import datetime

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
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    normalise_policy,
    policies_equal,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.user import MASK, NEW_MASK

SERVICE_ACCOUNT_OPTIONS = dict(
    access_key=dict(type="str", required=True, no_log=False),
    secret_key=dict(type="str", no_log=True),
    user=dict(type="str"),
    policy=dict(type="raw"),
    name=dict(type="str"),
    description=dict(type="str"),
    expiration=dict(type="str"),
    status=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
    update_password=dict(type="str", default="always", choices=["always", "on_create"], no_log=False),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)
_STATUS = {"on": "enabled", "off": "disabled", "enabled": "enabled", "disabled": "disabled"}


def parse_time(text):
    """An RFC 3339 time as an aware datetime; None for none (MinIO's zero or far-future times)."""
    if not text:
        return None
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("expiration %r is not an RFC 3339 time such as 2027-06-30T00:00:00Z" % text) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    if when.year <= 1970 or when.year >= 9999:
        return None
    return when


def format_time(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def item_problems(item):
    """Why an item would be refused; stores its parsed policy and expiration in it."""
    key = item["access_key"]
    problems = [key_problem(key, item.get("secret_key"), max_access_key=20)]
    if item.get("name") and len(item["name"]) > 32:
        problems.append("service account %s: name must be at most 32 characters" % key)
    if item.get("description") and len(item["description"]) > 256:
        problems.append("service account %s: description must be at most 256 characters" % key)
    try:
        item["_policy"] = load_policy(item["policy"]) if item.get("policy") is not None else None
        item["_expiration"] = format_time(parse_time(item.get("expiration")))
    except (PolicyError, ValueError) as exc:
        problems.append("service account %s: %s" % (key, exc))
    return [p for p in problems if p]


def read_account(admin, access_key):
    info = admin.service_account_info(access_key)
    if info is None:
        return None
    policy = load_policy(info["policy"]) if not info.get("impliedPolicy") and info.get("policy") else None
    return {
        "access_key": access_key,
        "user": info.get("parentUser"),
        "status": _STATUS.get(info.get("accountStatus"), info.get("accountStatus")),
        "policy": policy,
        "name": info.get("name") or "",
        "description": info.get("description") or "",
        "expiration": format_time(parse_time(info.get("expiration"))),
    }


def wanted_account(item, current, login_access_key):
    base = current or {"name": "", "description": "", "expiration": None}
    return {
        "access_key": item["access_key"],
        "user": item.get("user") or (current["user"] if current else login_access_key),
        "status": item["status"],
        "policy": item["_policy"],
        "name": base["name"] if item.get("name") is None else item["name"],
        "description": base["description"] if item.get("description") is None else item["description"],
        "expiration": base["expiration"] if item.get("expiration") is None else item["_expiration"],
    }


def converge_service_accounts(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    items = [dict(item) for item in items]
    fail_on([p for item in items for p in item_problems(item)]
            + duplicate_problems(items, "access_key", "service accounts"))
    parents = admin.service_account_parents(sorted({i["user"] for i in items if i.get("user")} | {conn.access_key}))
    known = [i["access_key"] for i in items if i["access_key"] in parents]
    current = dict(zip(known, parallel(lambda key: read_account(admin, key), known, workers), strict=True))
    wanted = {i["access_key"]: wanted_account(i, current.get(i["access_key"]), conn.access_key)
              for i in items if i["state"] == "present"}
    fail_on(["service account %s belongs to user %s, not %s; a service account cannot move to another user: remove "
             "it (state: absent) and create it again" % (key, current[key]["user"], want["user"])
             for key, want in wanted.items() if current.get(key) and current[key]["user"] != want["user"]])

    def converge(item):
        key = item["access_key"]
        if item["state"] == "absent":
            return remove(admin, item, current.get(key), check_mode)
        if current.get(key) is None:
            return create(admin, item, wanted[key], check_mode)
        return update(conn, admin, item, current[key], wanted[key], check_mode)

    return parallel(converge, items, workers)


def view(account, secret=None):
    if not account:
        return {}
    out = dict(account)
    if out["policy"] is not None:
        out["policy"] = normalise_policy(out["policy"])
    if secret:
        out["secret_key"] = secret
    return out


def result(item, actions, before, after, secret_changed, warnings=(), **extra):
    return item_result("access_key", item["access_key"], item, actions,
                       view(before, MASK if secret_changed and before else None),
                       view(after, NEW_MASK if secret_changed else None),
                       user=(after or before or {}).get("user"), secret_changed=secret_changed,
                       service_account=after or {}, _account=after or before or {}, _warnings=list(warnings),
                       **extra)


def remove(admin, item, current, check_mode):
    if current is not None and not check_mode:
        admin.delete_service_account(item["access_key"])
    return result(item, ["deleted"] if current else [], current, None, False)


def create(admin, item, want, check_mode):
    extra = {}
    if not check_mode:
        secret = item.get("secret_key") or generate_secret()
        admin.add_service_account(want["access_key"], secret, parent=item.get("user"), policy=want["policy"],
                                  name=want["name"], description=want["description"],
                                  expiration=want["expiration"])
        if want["status"] == "disabled":
            # MinIO creates every service account enabled, whatever the request says.
            admin.update_service_account(want["access_key"], update_body(want, [], None))
        if not item.get("secret_key"):
            extra["secret_key"] = secret
    return result(item, ["created"], None, want, True, **extra)


def update(conn, admin, item, current, want, check_mode):
    fields = [k for k in ("status", "name", "description", "expiration") if current[k] != want[k]]
    if not policies_equal(current["policy"], want["policy"]):
        fields.append("policy")
    warnings = []
    # Being enabled now (None), its secret can only be checked afterwards: set it with the update.
    set_secret = secret_to_set(conn, item, current["status"], "service account", warnings) is not False
    if (fields or set_secret) and not check_mode:
        admin.update_service_account(want["access_key"],
                                     update_body(want, fields, item["secret_key"] if set_secret else None))
    actions = ["%s set" % f for f in fields] + (["secret set"] if set_secret else [])
    return result(item, actions, current, want, set_secret, warnings)


def update_body(wanted, fields, new_secret):
    """The update-service-account request for the wanted account."""
    body = {"newStatus": "on" if wanted["status"] == "enabled" else "off"}
    # Always resend the inline policy: MinIO drops it from an update without one (which is
    # also how it is removed when the wanted account has none).
    if wanted["policy"] is not None:
        body["newPolicy"] = wanted["policy"]
    for field in ("name", "description"):
        if field in fields:
            body["new" + field.capitalize()] = wanted[field]
    if "expiration" in fields and wanted["expiration"]:
        body["newExpiration"] = wanted["expiration"]
    if new_secret:
        body["newSecretKey"] = new_secret
    return body
