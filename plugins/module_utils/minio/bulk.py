# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many MinIO objects of one kind in one module run: the minio_buckets, minio_policies, minio_users
and minio_service_accounts modules (the list forms of minio_bucket, minio_policy, minio_user and
minio_service_account).

Each converge function reads the server's list of that kind once, compares, and then makes only
the requests that change something. The requests that cannot be listed (a bucket's quota, the
signed request that tells whether a service account's secret is still the wanted one) run on a
small thread pool, because at hundreds of tenants their latency, not MinIO, is the cost.

The connection, the admin calls and the error translation are the single-object modules' own
(minio_connection, minio_admin, minio_errors); this file only adds the bulk reads and the diffing.
"""

from __future__ import annotations

import json
import secrets
import string

try:
    from minio.crypto import decrypt
except ImportError:  # reported by MinioConnection with missing_required_lib()
    decrypt = None

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import Command, MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.buckets import (
    create_bucket,
    has_objects,
    purge_bucket,
    remove_bucket,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import (
    MinioModuleError,
    error_code,
    translated,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem, key_problem
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    normalise_policy,
    policies_equal,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import format_size, parse_size
from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import run_all

DEFAULT_WORKERS = 8
ALPHABET = string.ascii_letters + string.digits


def list_module_spec(option, item_options):
    """The argument_spec of a list module: the connection options, the list `option` of items
    with `item_options`, and `workers`."""
    spec = minio_argument_spec()
    spec.update({option: dict(type="list", elements="dict", required=True, options=item_options),
                 "workers": dict(type="int", default=DEFAULT_WORKERS)})
    return spec


def run_list_module(module, option, converge):
    """The result of `converge` over module.params[option]; a MinioModuleError (whose message is
    safe to show) fails the module."""
    try:
        conn = MinioConnection(module)
        return converge(conn, MinioAdminApi(conn), module.params[option], module.check_mode, module.params["workers"])
    except MinioModuleError as exc:
        module.fail_json(msg=str(exc), changed=False)


def parallel(func, items, workers=DEFAULT_WORKERS):
    """func(item) for every item on at most `workers` threads, results in order.

    Every call runs even when one fails; then the failures are raised as one MinioModuleError
    naming each (the messages are the safe ones of minio_errors).
    """
    results, errors = run_all(func, items, workers, MinioModuleError)
    if errors:
        more = " (and %d more)" % (len(errors) - 5) if len(errors) > 5 else ""
        raise MinioModuleError("; ".join(str(exc) for exc in errors[:5]) + more)
    return results


def duplicates(items, key):
    names = [item[key] for item in items]
    return sorted({name for name in names if names.count(name) > 1})


def fail_on(problems):
    if problems:
        raise MinioModuleError("nothing was changed: " + "; ".join(problems))


def generate_secret(length=40):
    return "".join(secrets.choice(ALPHABET) for dummy in range(length))


# Buckets ------------------------------------------------------------------------------------

BUCKET_OPTIONS = dict(
    name=dict(type="str", required=True),
    quota=dict(type="raw"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    purge=dict(type="bool", default=False),
)


def converge_buckets(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    problems = [p for p in (bucket_name_problem(item["name"]) for item in items) if p]
    wanted_quota = {}
    for item in items:
        if item["state"] == "present" and item.get("quota") is not None:
            try:
                wanted_quota[item["name"]] = parse_size(item["quota"])
            except ValueError as exc:
                problems.append("bucket %s: quota: %s" % (item["name"], exc))
    dup = duplicates(items, "name")
    if dup:
        problems.append("buckets listed more than once: %s" % ", ".join(dup))
    fail_on(problems)

    with translated("list buckets", conn.endpoint):
        existing = {bucket.name for bucket in conn.s3.list_buckets()}
    # Quotas cannot be listed: one cheap GET per existing bucket whose quota is managed.
    quota_names = [i["name"] for i in items if i["state"] == "present" and i["name"] in existing
                   and i["name"] in wanted_quota]
    quota_of = dict(zip(quota_names, parallel(admin.quota_get, quota_names, workers), strict=True))
    # Refusals before the first change: an absent bucket that still holds objects needs purge.
    guarded = [i["name"] for i in items if i["state"] == "absent" and i["name"] in existing and not i["purge"]]
    full = [name for name, has in zip(guarded, parallel(lambda n: has_objects(conn, n), guarded, workers),
                                      strict=True) if has]
    fail_on(["bucket %s is not empty; set purge: true to delete it with its objects" % n for n in full])

    results, before, after = [], {}, {}

    def converge(item):
        name = item["name"]
        if item["state"] == "absent":
            if name not in existing:
                return _bucket_result(item, [], None)
            if not check_mode:
                deleted = purge_bucket(conn, name) if item["purge"] else 0
                remove_bucket(conn, name)
                return _bucket_result(item, ["deleted" + (" with %d object(s)" % deleted if deleted else "")], None)
            return _bucket_result(item, ["deleted"], None)
        actions = []
        quota = quota_of.get(name, 0)
        if name not in existing:
            actions.append("created")
            if not check_mode:
                create_bucket(conn, name)
        want = wanted_quota.get(name)
        if want is not None and want != quota:
            actions.append("quota set to %s" % (format_size(want) or "none"))
            if not check_mode:
                admin.quota_set(name, want)
            quota = want
        return _bucket_result(item, actions, {"name": name, "quota": format_size(quota) or "none"},
                              {"name": name, "quota": format_size(quota_of.get(name, 0)) or "none"}
                              if name in existing else None)

    for result in parallel(converge, items, workers):
        if result["changed"]:
            before[result["name"]] = result.pop("_before")
            after[result["name"]] = result["bucket"]
        else:
            result.pop("_before")
        results.append(result)
    return dict(changed=bool(before or after), buckets=results, diff=dict(before=before, after=after))


def _bucket_result(item, actions, bucket, before=None):
    return dict(name=item["name"], state=item["state"], changed=bool(actions), actions=actions,
                bucket=bucket or {}, _before=before or ({"name": item["name"]} if item["state"] == "absent" else {}))


# Canned policies ----------------------------------------------------------------------------

POLICY_OPTIONS = dict(
    name=dict(type="str", required=True),
    policy=dict(type="raw"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)


def converge_policies(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    problems, wanted = [], {}
    for item in items:
        if not item["name"] or "," in item["name"]:
            problems.append("policy name %r must be non-empty without ','" % item["name"])
        if item["state"] == "present":
            if item.get("policy") is None:
                problems.append("policy %s: policy is required with state present" % item["name"])
                continue
            try:
                wanted[item["name"]] = load_policy(item["policy"])
            except PolicyError as exc:
                problems.append("policy %s: %s" % (item["name"], exc))
    dup = duplicates(items, "name")
    if dup:
        problems.append("policies listed more than once: %s" % ", ".join(dup))
    fail_on(problems)

    # One answer holds every canned policy with its document.
    with translated("list policies", conn.endpoint):
        existing = json.loads(conn.admin.policy_list() or "{}")

    def converge(item):
        name = item["name"]
        current = existing.get(name)
        if item["state"] == "absent":
            if current is None:
                return dict(name=name, state="absent", changed=False, actions=[])
            if not check_mode:
                admin.remove_policy(name)
            return dict(name=name, state="absent", changed=True, actions=["deleted"], _before=current)
        if current is not None and policies_equal(current, wanted[name]):
            return dict(name=name, state="present", changed=False, actions=[])
        if not check_mode:
            admin.add_policy(name, wanted[name])
        return dict(name=name, state="present", changed=True, actions=["created" if current is None else "updated"],
                    _before=current)

    results, before, after = [], {}, {}
    for result in parallel(converge, items, workers):
        if result["changed"]:
            current = result.pop("_before", None)
            before[result["name"]] = normalise_policy(current) if current else None
            after[result["name"]] = normalise_policy(wanted[result["name"]]) if result["state"] == "present" else None
        results.append(result)
    return dict(changed=bool(before), policies=results, diff=dict(before=before, after=after))


# Users --------------------------------------------------------------------------------------

USER_OPTIONS = dict(
    access_key=dict(type="str", required=True, no_log=False),
    policies=dict(type="list", elements="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)


def converge_users(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    problems = [p for p in (key_problem(item["access_key"]) for item in items) if p]
    dup = duplicates(items, "access_key")
    if dup:
        problems.append("users listed more than once: %s" % ", ".join(dup))
    fail_on(problems)

    # One (encrypted) answer with every user's status and policies.
    with translated("list users", conn.endpoint):
        listing = json.loads(conn.admin.user_list() or "{}")
    existing = {key: {"status": info.get("status", "enabled"),
                      "policies": sorted(p for p in (info.get("policyName") or "").split(",") if p)}
                for key, info in listing.items()}
    new_policies = {p for item in items if item["state"] == "present"
                    for p in set(item.get("policies") or []) - set(existing.get(item["access_key"], {})
                                                                   .get("policies", []))}
    if new_policies and not check_mode:
        missing = sorted(new_policies - admin.policy_names())
        fail_on(["policies %s do not exist on MinIO; create them first" % ", ".join(missing)] if missing else [])

    def converge(item):
        key = item["access_key"]
        current = existing.get(key)
        if item["state"] == "absent":
            if current is None:
                return dict(access_key=key, state="absent", changed=False, actions=[], user={})
            if not check_mode:
                admin.remove_user(key)  # also removes the user's service accounts
            return dict(access_key=key, state="absent", changed=True, actions=["deleted"], user={}, _before=current)
        want = {"status": "enabled", "policies": sorted(set(item["policies"]))
                if item.get("policies") is not None else (current or {}).get("policies", [])}
        actions = []
        have = current or {"status": None, "policies": []}
        if current is None:
            actions.append("created")
            if not check_mode:
                # Nobody logs in as this user (its service accounts are what is handed out): a random
                # secret that is not kept.
                admin.add_user(key, generate_secret())
        elif current["status"] != "enabled":
            actions.append("enabled")
            if not check_mode:
                admin.set_user_status(key, "enabled")
        detach = sorted(set(have["policies"]) - set(want["policies"]))
        attach = sorted(set(want["policies"]) - set(have["policies"]))
        if attach:
            actions.append("attached %s" % ", ".join(attach))
        if detach:
            actions.append("detached %s" % ", ".join(detach))
        if (attach or detach) and not check_mode:
            if want["policies"]:
                # set-user-or-group-policy makes the list exactly this in one plain request; attach and
                # detach send encrypted bodies, an Argon2 key derivation (64 MiB) on both sides each.
                with translated("set the policies of user %s" % key, conn.endpoint):
                    conn.admin.policy_set(",".join(want["policies"]), user=key)
            else:
                admin.detach_policies(key, detach)
        return dict(access_key=key, state="present", changed=bool(actions), actions=actions,
                    user=dict(want, access_key=key), _before=current or {})

    results, before, after = [], {}, {}
    for result in parallel(converge, items, workers):
        if result["changed"]:
            before[result["access_key"]] = result.pop("_before")
            after[result["access_key"]] = result["user"]
        else:
            result.pop("_before", None)
        results.append(result)
    return dict(changed=bool(before), users=results, diff=dict(before=before, after=after))


# Service accounts ---------------------------------------------------------------------------

SERVICE_ACCOUNT_OPTIONS = dict(
    access_key=dict(type="str", required=True, no_log=False),
    secret_key=dict(type="str", no_log=True),
    user=dict(type="str"),
    name=dict(type="str"),
    description=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
)


def list_service_accounts(conn, admin, users):
    """access key -> parent user of every service account (one request on current servers)."""
    with translated("list service accounts", conn.endpoint):
        try:
            response = conn.admin._url_open(  # minio-py has no call for this command
                method="GET", command=Command("list-access-keys-bulk"),
                query_params={"all": "true", "listType": "svcacc-only"}, preload_content=False)
            listing = json.loads(decrypt(response, conn.secret_key).decode() or "{}")
            return {account["accessKey"]: parent for parent, keys in listing.items()
                    for account in (keys or {}).get("serviceAccounts") or []}
        except Exception as exc:
            status = error_code(exc)[0]
            if status not in (400, 404, 501):
                raise
    # Servers older than list-access-keys-bulk: one listing per parent user.
    found = {}
    for user in users:
        with translated("list the service accounts of %s" % user, conn.endpoint):
            try:
                answer = json.loads(conn.admin.list_service_account(user) or "{}")
            except Exception as exc:
                if error_code(exc)[1] == "XMinioAdminNoSuchUser":
                    continue
                raise
        for account in answer.get("accounts") or []:
            found[account["accessKey"]] = account.get("parentUser") or user
    return found


def converge_service_accounts(conn, admin, items, check_mode, workers=DEFAULT_WORKERS):
    problems = []
    for item in items:
        problem = key_problem(item["access_key"], item.get("secret_key"), max_access_key=20)
        if problem:
            problems.append(problem)
        if item["state"] == "present" and not item.get("user"):
            problems.append("service account %s: user (its parent) is required" % item["access_key"])
        if item.get("name") and len(item["name"]) > 32:
            problems.append("service account %s: name must be at most 32 characters" % item["access_key"])
        if item.get("description") and len(item["description"]) > 256:
            problems.append("service account %s: description must be at most 256 characters" % item["access_key"])
    dup = duplicates(items, "access_key")
    if dup:
        problems.append("service accounts listed more than once: %s" % ", ".join(dup))
    fail_on(problems)

    existing = list_service_accounts(conn, admin, sorted({i["user"] for i in items if i.get("user")}))

    def converge(item):
        key = item["access_key"]
        parent = existing.get(key)
        result = dict(access_key=key, state=item["state"], user=item.get("user"), changed=False, actions=[],
                      secret_changed=False, _before={"access_key": key, "user": parent} if parent else {})
        if item["state"] == "absent":
            if parent is not None:
                result.update(changed=True, actions=["deleted"])
                if not check_mode:
                    admin.delete_service_account(key)
            return result
        if parent is None:
            secret = item.get("secret_key")
            result.update(changed=True, actions=["created"], secret_changed=True)
            if not check_mode:
                if not secret:
                    secret = generate_secret()
                    result["secret_key"] = secret
                admin.add_service_account(key, secret, parent=item["user"], name=item.get("name"),
                                          description=item.get("description"))
            return result
        if parent != item["user"]:
            raise MinioModuleError("service account %s belongs to user %s, not %s; remove it (state: absent) and "
                                   "create it again" % (key, parent, item["user"]))
        # MinIO never tells a secret: one signed request with it tells whether it is still the wanted one.
        # A disabled account fails this check too, and the update below enables it.
        if item.get("secret_key") and not conn.secret_works(key, item["secret_key"]):
            result.update(changed=True, actions=["secret set"], secret_changed=True)
            if not check_mode:
                changes = {"newSecretKey": item["secret_key"], "newStatus": "on"}
                admin.update_service_account(key, changes)
        return result

    results, before, after = [], {}, {}
    for result in parallel(converge, items, workers):
        current = result.pop("_before")
        if result["changed"]:
            before[result["access_key"]] = current
            view = {"access_key": result["access_key"], "user": result["user"]} if result["state"] == "present" else {}
            if result["secret_changed"]:
                view["secret_key"] = "******** (new)"  # noqa: S105 - a mask, not a secret
            after[result["access_key"]] = view
        results.append(result)
    return dict(changed=bool(before), service_accounts=results, diff=dict(before=before, after=after))
