# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The tenant list of role onprem.mlflow.tenants: checked as a whole, then normalised.

One tenant name becomes an MLflow workspace, part of a MinIO bucket name and (by default)
a Kubernetes namespace, so it must be a name all three accept. Every problem of the whole
list is collected first, so a bad list fails once, naming each tenant and field, before
anything changes anywhere.
"""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import format_size, parse_size
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.rules import (
    MIN_PASSWORD_LENGTH,
    NAME_PATTERN,
    RESERVED_WORKSPACES,
)

TENANT_KEYS = frozenset(("name", "state", "purge", "namespace", "quota", "members"))
MEMBER_KEYS = frozenset(("username", "role", "password"))
ROLES = ("admin", "user")
STATES = ("present", "absent")


class TenantSpecError(ValueError):
    """The list is not valid; the message names every problem (never a password)."""


def label_problem(value, what):
    if not isinstance(value, str):
        return "%s must be a string, not %s" % (what, type(value).__name__)
    if not 2 <= len(value) <= 63 or not NAME_PATTERN.match(value):
        return ("%s %r must be 2-63 characters of lowercase letters, digits and '-', starting and ending "
                "with a letter or digit (a DNS-1123 label)" % (what, value))
    return None


def service_account_key(tenant):
    """The MinIO service account access key of a tenant: stable, 20 characters (MinIO's limit).

    Derived from the name so that a re-run (or a run after an interrupted one) finds the account
    it made, without any state on the controller.
    """
    digest = base64.b32encode(hashlib.sha256(tenant.encode()).digest()).decode()
    return ("MLF" + digest)[:20]


def _where(index, tenant):
    name = tenant.get("name") if isinstance(tenant, dict) else None
    return "mlflow_tenants[%d]%s" % (index, " (%s)" % name if isinstance(name, str) and name else "")


def _check_member(where, index, member, problems):
    mwhere = "%s: members[%d]" % (where, index)
    if not isinstance(member, dict):
        problems.append("%s must be a mapping with username, role, password" % mwhere)
        return None
    username = member.get("username")
    if isinstance(username, str) and username.strip():
        mwhere = "%s: members[%d] (%s)" % (where, index, username)
    unknown = sorted(set(member) - MEMBER_KEYS)
    if unknown:
        allowed = ", ".join(sorted(MEMBER_KEYS))
        problems.append("%s: unknown key(s) %s (allowed: %s)" % (mwhere, ", ".join(unknown), allowed))
    if not isinstance(username, str) or not username.strip():
        problems.append("%s: username is required and must be a non-empty string" % mwhere)
        return None
    if username != username.strip() or ":" in username or any(c.isspace() for c in username):
        # Basic auth splits on ':'; KEY=value files and HTTP headers break on whitespace.
        problems.append("%s: username must not contain ':' or whitespace" % mwhere)
    role = member.get("role", "user")
    if role is None:
        role = "user"
    if role not in ROLES:
        problems.append("%s: role %r must be one of %s" % (mwhere, role, ", ".join(ROLES)))
    password = member.get("password")
    if password is not None:
        if not isinstance(password, str):
            problems.append("%s: password must be a string" % mwhere)
            password = None
        elif len(password) < MIN_PASSWORD_LENGTH:
            # Never echo the password itself.
            problems.append("%s: password must be at least %d characters (MLflow's minimum); the given one has %d"
                            % (mwhere, MIN_PASSWORD_LENGTH, len(password)))
    return {"username": username, "role": role, "password": password}


def normalise_tenants(tenants, bucket_prefix="mlflow-", workload_suffix="-workload", admin_username=None):
    """The checked, normalised tenant list; raises TenantSpecError listing every problem.

    Each tenant gets: name, state, purge, namespace, quota (bytes, 0 = none), quota_text,
    members [{username, role, password or None}], workspace, bucket, policy, minio_user,
    service_account, workload_username.
    """
    if tenants is None:
        tenants = []
    if not isinstance(tenants, list):
        raise TenantSpecError("mlflow_tenants must be a list of tenants, not %s" % type(tenants).__name__)
    problems = []
    result = []
    seen_names = {}
    for index, tenant in enumerate(tenants):
        where = _where(index, tenant)
        if not isinstance(tenant, dict):
            problems.append("%s must be a mapping with at least a name" % where)
            continue
        unknown = sorted(set(tenant) - TENANT_KEYS)
        if unknown:
            allowed = ", ".join(sorted(TENANT_KEYS))
            problems.append("%s: unknown key(s) %s (allowed: %s)" % (where, ", ".join(unknown), allowed))
        name = tenant.get("name")
        # A bad name is reported with the tenant's other problems, not instead of them: the other
        # fields are checked all the same, and only what is derived from the name is left out.
        problem = label_problem(name, "name")
        name_ok = problem is None
        if problem:
            problems.append("%s: %s" % (where, problem))
        elif name in RESERVED_WORKSPACES:
            problems.append("%s: name %r is reserved by MLflow (reserved: %s)"
                            % (where, name, ", ".join(sorted(RESERVED_WORKSPACES))))
        if name_ok and name in seen_names:
            problems.append("%s: name %r is already used by mlflow_tenants[%d]" % (where, name, seen_names[name]))
        if name_ok:
            seen_names.setdefault(name, index)
        state = tenant.get("state", "present") or "present"
        if state not in STATES:
            problems.append("%s: state %r must be one of %s" % (where, state, ", ".join(STATES)))
        purge = tenant.get("purge", False)
        if not isinstance(purge, bool):
            problems.append("%s: purge must be true or false, not %r" % (where, purge))
        elif purge and state != "absent":
            problems.append("%s: purge: true only goes with state: absent" % where)
        namespace = tenant.get("namespace") or name
        # The namespace defaults to the name: a bad name is already reported.
        problem = label_problem(namespace, "namespace") if tenant.get("namespace") or name_ok else None
        if problem:
            problems.append("%s: %s" % (where, problem))
        quota = tenant.get("quota")
        try:
            quota_bytes = parse_size(quota)
        except ValueError as exc:
            problems.append("%s: quota: %s" % (where, exc))
            quota_bytes = 0
        bucket = "%s%s" % (bucket_prefix, name)
        problem = bucket_name_problem(bucket) if name_ok else None
        if problem:
            problems.append("%s: bucket (tenants_bucket_prefix + name): %s" % (where, problem))
        members_in = tenant.get("members") or []
        members = []
        if not isinstance(members_in, list):
            problems.append("%s: members must be a list" % where)
            members_in = []
        seen_users = set()
        for mindex, member in enumerate(members_in):
            checked = _check_member(where, mindex, member, problems)
            if checked is None:
                continue
            if checked["username"] in seen_users:
                problems.append("%s: members[%d]: username %r is listed twice" % (where, mindex, checked["username"]))
                continue
            seen_users.add(checked["username"])
            members.append(checked)
        if not name_ok:
            # Its problems are listed; without a name there is nothing to check across tenants.
            continue
        result.append({
            "name": name, "state": state, "purge": purge is True, "namespace": namespace,
            "quota": quota_bytes, "quota_text": format_size(quota_bytes) or "none",
            "members": members, "workspace": name, "bucket": bucket, "policy": bucket, "minio_user": bucket,
            "service_account": service_account_key(name), "workload_username": name + workload_suffix,
        })

    _check_across(result, admin_username, problems)
    if problems:
        raise TenantSpecError("the tenant list is not valid, nothing was changed:\n- " + "\n- ".join(problems))
    return result


def _check_across(tenants, admin_username, problems):
    """What only the whole list shows: workload names, shared users, one password per user."""
    workloads = {t["workload_username"]: t["name"] for t in tenants}
    namespaces = {}
    for tenant in tenants:
        # One Secret per namespace: two teams cannot share one.
        other = namespaces.setdefault(tenant["namespace"], tenant["name"])
        if other != tenant["name"]:
            problems.append("tenant %s: namespace %r is already the namespace of tenant %s"
                            % (tenant["name"], tenant["namespace"], other))
    passwords = {}
    for tenant in tenants:
        where = "tenant %s" % tenant["name"]
        if admin_username and tenant["workload_username"] == admin_username:
            problems.append("%s: its workload identity %r is the MLflow admin" % (where, admin_username))
        for member in tenant["members"]:
            username = member["username"]
            if admin_username and username == admin_username:
                problems.append("%s: member %r is the MLflow admin; the admin cannot be a tenant member"
                                % (where, username))
            if username in workloads:
                problems.append("%s: member %r is the workload identity of tenant %s; choose another username"
                                % (where, username, workloads[username]))
            if member["password"] is not None:
                other = passwords.setdefault(username, (tenant["name"], member["password"]))
                if other[1] != member["password"]:
                    problems.append("%s: member %r has another password in tenant %s; one MLflow user has one "
                                    "password" % (where, username, other[0]))


def generated_secret_ids(tenants):
    """Names of the secrets the controller generates and keeps, for the present tenants.

    `mlflow-user/<username>` for members without a password and the workload identities,
    `minio-service-account/<tenant>` for each service account secret.
    """
    given = {m["username"] for t in tenants if t["state"] == "present" for m in t["members"] if m["password"]}
    ids = set()
    for tenant in tenants:
        if tenant["state"] != "present":
            continue
        ids.add("mlflow-user/" + tenant["workload_username"])
        ids.add("minio-service-account/" + tenant["name"])
        ids.update("mlflow-user/" + m["username"] for m in tenant["members"] if m["username"] not in given)
    return sorted(ids)


def given_passwords(tenants):
    """`mlflow-password/<username>` -> password, for the members of present tenants whose password
    the inventory gives: what persisted_secrets fingerprints (never stores) for update_password
    `changed`."""
    return {"mlflow-password/" + m["username"]: m["password"]
            for t in tenants if t["state"] == "present" for m in t["members"] if m["password"]}


def tenants_plan(tenants, secrets, tracking_uri, s3_endpoint_url, bucket_policy, secret_name="mlflow-connection",  # noqa: S107
                 namespace_label="onprem.mlflow/tenant", update_password="changed",  # noqa: S107
                 check_generated=False, fresh=(), unchanged=()):
    """What each bulk module gets for a normalised tenant list, and what the tenants are handed.

    `secrets` maps the ids of generated_secret_ids() to their values. Returns a dict with one
    list per module (mlflow_users, mlflow_workspaces, mlflow_workspace_rosters, minio_buckets,
    minio_policies, minio_users, minio_service_accounts) for the present tenants, the same under
    `retire` for what the absent ones lose, `connections` (tenant -> its settings), `retired`
    (names of absent tenants), `secrets_absent` (generated secrets no longer needed),
    `kubernetes` (each present tenant's Namespace, labelled `namespace_label`, and Secret
    `secret_name`), `kubernetes_absent` (the Secrets of retired tenants) and `summary` (no secrets).
    `bucket_policy(bucket)` makes the least-privilege policy (the minio_bucket_policy filter).
    Given passwords are checked with `update_password`: `always` on the server each run (a
    password-hash check per user), `on_create` never, `changed` only when the password is not
    among `unchanged` (the ids of given_passwords() whose fingerprint, kept since the role last
    applied them, matches). `fingerprints_absent` lists the fingerprints no longer true or needed.
    Generated passwords, which only this role ever sets, are checked too only with
    `check_generated` or when they are `fresh` (generated by this run: the kept file was new or lost).
    """
    present = [t for t in tenants if t["state"] == "present"]
    absent = [t for t in tenants if t["state"] == "absent"]
    passwords = {}
    for tenant in present:
        for member in tenant["members"]:
            if member["password"]:
                passwords[member["username"]] = member["password"]

    def password(username):
        if username in passwords:
            return passwords[username]
        key = "mlflow-user/" + username
        if key not in secrets:
            raise TenantSpecError("no generated password for MLflow user %s (secret %s missing)" % (username, key))
        return secrets[key]

    kinds = ("mlflow_users", "mlflow_workspaces", "mlflow_workspace_rosters", "minio_buckets", "minio_policies",
             "minio_users", "minio_service_accounts")
    # What present tenants need (created or updated first), and what retired tenants lose (removed after).
    plan = {k: [] for k in kinds}
    retire = {k: [] for k in kinds}
    plan.update(retire=retire, connections={}, retired=[t["name"] for t in absent], summary=[],
                secrets_absent=[], fingerprints_absent=[], kubernetes=[], kubernetes_absent=[])
    users_in_present = set()
    for tenant in present:
        users = [m["username"] for m in tenant["members"]] + [tenant["workload_username"]]
        for username in users:
            if username not in users_in_present:
                users_in_present.add(username)
                check = update_password if username in passwords else "on_create"
                if check == "changed":
                    check = "on_create" if "mlflow-password/" + username in unchanged else "always"
                if username not in passwords:
                    plan["fingerprints_absent"].append("mlflow-password/" + username)
                if check_generated or "mlflow-user/" + username in fresh:
                    check = "always"
                plan["mlflow_users"].append({"username": username, "password": password(username),
                                             "update_password": check})
        plan["mlflow_workspaces"].append({
            "name": tenant["workspace"], "description": "Tenant %s" % tenant["name"],
            "default_artifact_root": "s3://%s/mlflow" % tenant["bucket"]})
        members = [{"username": m["username"], "role": m["role"]} for m in tenant["members"]]
        members.append({"username": tenant["workload_username"], "role": "user"})
        plan["mlflow_workspace_rosters"].append({"workspace": tenant["workspace"], "members": members})
        plan["minio_buckets"].append({"name": tenant["bucket"], "quota": tenant["quota"]})
        plan["minio_policies"].append({"name": tenant["policy"], "policy": bucket_policy(tenant["bucket"])})
        plan["minio_users"].append({"access_key": tenant["minio_user"], "policies": [tenant["policy"]]})
        sa_secret = secrets.get("minio-service-account/" + tenant["name"])
        if not sa_secret:
            raise TenantSpecError("no generated secret for the service account of tenant %s" % tenant["name"])
        plan["minio_service_accounts"].append({
            "access_key": tenant["service_account"], "secret_key": sa_secret, "user": tenant["minio_user"],
            "name": tenant["name"][:32], "description": "MLflow artifacts of tenant %s" % tenant["name"]})
        plan["connections"][tenant["name"]] = {
            "MLFLOW_TRACKING_URI": tracking_uri,
            "MLFLOW_WORKSPACE": tenant["workspace"],
            "MLFLOW_TRACKING_USERNAME": tenant["workload_username"],
            "MLFLOW_TRACKING_PASSWORD": password(tenant["workload_username"]),
            "MLFLOW_S3_ENDPOINT_URL": s3_endpoint_url,
            "AWS_ACCESS_KEY_ID": tenant["service_account"],
            "AWS_SECRET_ACCESS_KEY": sa_secret,
            # boto3 over HTTPS (the S3 Ingress) would otherwise send STREAMING-UNSIGNED-PAYLOAD-TRAILER,
            # which the S3 gateway refuses (CVE-2026-40344); this signs the payload instead.
            "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
        }
    for tenant in absent:
        # Access goes; data (bucket, workspace) stays unless purge.
        users = [m["username"] for m in tenant["members"]] + [tenant["workload_username"]]
        for username in users:
            if username not in users_in_present:
                retire["mlflow_users"].append({"username": username, "state": "absent"})
                plan["secrets_absent"].append("mlflow-user/" + username)
                plan["fingerprints_absent"].append("mlflow-password/" + username)
                users_in_present.add(username)  # once
        if tenant["purge"]:
            retire["mlflow_workspaces"].append({"name": tenant["workspace"], "state": "absent", "purge": True})
            retire["minio_buckets"].append({"name": tenant["bucket"], "state": "absent", "purge": True})
        else:
            # Before the users go: a retired tenant's remaining members (say, in other tenants) lose this one.
            plan["mlflow_workspace_rosters"].append({"workspace": tenant["workspace"], "members": []})
        retire["minio_service_accounts"].append({"access_key": tenant["service_account"], "state": "absent"})
        retire["minio_users"].append({"access_key": tenant["minio_user"], "state": "absent"})
        retire["minio_policies"].append({"name": tenant["policy"], "state": "absent"})
        plan["secrets_absent"].append("minio-service-account/" + tenant["name"])
    for tenant in present:
        plan["kubernetes"].append({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": tenant["namespace"], "labels": {namespace_label: "true"}}})
        plan["kubernetes"].append({
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": secret_name, "namespace": tenant["namespace"],
                         "labels": {"app.kubernetes.io/managed-by": "onprem.mlflow",
                                    "onprem.mlflow/tenant-name": tenant["name"]}},
            "data": {key: base64.b64encode(value.encode()).decode()
                     for key, value in plan["connections"][tenant["name"]].items()}})
    for tenant in absent:
        plan["kubernetes_absent"].append({"apiVersion": "v1", "kind": "Secret", "metadata": {
            "name": secret_name, "namespace": tenant["namespace"]}})
    for tenant in tenants:
        plan["summary"].append({
            "tenant": tenant["name"], "state": tenant["state"],
            "members": ["%s (%s)" % (m["username"], m["role"]) for m in tenant["members"]]
            if tenant["state"] == "present" else [],
            "workload_identity": tenant["workload_username"] if tenant["state"] == "present" else None,
            "workspace": tenant["workspace"], "bucket": tenant["bucket"], "quota": tenant["quota_text"],
            "data": "kept" if tenant["state"] == "present" or not tenant["purge"] else "deleted",
        })
    return plan
