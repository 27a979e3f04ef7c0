#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_service_account
short_description: Manage a MinIO service account (access key) of a user
description:
  - Create, update or remove a service account, an access key and secret that act for a parent user.
  - The account is created for O(user) by the login account (MinIO's C(targetUser)), so an admin manages
    every team's accounts without knowing the teams' own secrets.
  - A service account can do at most what its parent user can; an inline O(policy) narrows that further.
    Put the least-privilege policy on the parent user too (M(onprem.mlflow.minio_user)), because MinIO has had
    checks that looked at the parent's policy alone.
  - Every field MinIO reports (parent, status, inline policy, name, description, expiration) is compared,
    and an update always resends the inline policy, because MinIO drops it otherwise.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  access_key:
    description:
      - Access key of the service account, 3-20 characters.
    type: str
    required: true
  secret_key:
    description:
      - Secret key of the service account, 8-40 characters. Never logged.
      - Not set on creation, the module generates a 40-character secret and returns it in RV(secret_key),
        in that run only; MinIO never returns an existing secret. Use C(no_log) on such a task.
    type: str
  user:
    description:
      - The parent user the account acts for. Not set means the login account itself.
      - An existing account cannot move to another parent; the module fails instead.
    type: str
  policy:
    description:
      - Inline policy of the account (a dict or a JSON string), at most 4 KiB. It can only narrow the parent's rights.
      - Not set means no inline policy, so the account has exactly its parent's rights.
    type: raw
  name:
    description:
      - Display name, at most 32 characters. Not set leaves it as it is (MinIO cannot clear it).
    type: str
  description:
    description:
      - Description, at most 256 characters. Not set leaves it as it is (MinIO cannot clear it).
    type: str
  expiration:
    description:
      - When the account stops working, as an RFC 3339 time such as V(2027-06-30T00:00:00Z),
        15 minutes to 365 days ahead. Not set leaves it as it is.
    type: str
  status:
    description:
      - Whether the account can be used.
    type: str
    choices: [enabled, disabled]
    default: enabled
  update_password:
    description:
      - V(always) makes the account's secret O(secret_key). The module first checks with one signed request
        whether MinIO already accepts it, and changes nothing when it does.
      - V(on_create) sets O(secret_key) only when the account is created.
      - The secret of an account that is and stays disabled cannot be checked (MinIO refuses a disabled key
        before it checks a signature); it is left as it is, with a warning.
    type: str
    choices: [always, on_create]
    default: always
  state:
    description:
      - V(present) creates or updates the account; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - onprem.mlflow.minio
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: The team's jobs' S3 credentials, for the team's user and limited to its bucket
  onprem.mlflow.minio_service_account:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    access_key: team-a-jobs
    secret_key: "{{ team_a_jobs_secret }}"
    user: team-a
    policy: "{{ 'mlflow-team-a' | onprem.mlflow.minio_bucket_policy }}"
    name: team-a jobs
    description: MLflow artifact access of team a

- name: Let MinIO's module generate the secret, and keep it out of the logs
  onprem.mlflow.minio_service_account:
    access_key: team-b-jobs
    user: team-b
  register: team_b_key
  no_log: true

- name: Revoke it
  onprem.mlflow.minio_service_account:
    access_key: team-a-jobs
    state: absent
"""

RETURN = r"""
service_account:
  description:
    - The account after the run (before it, for O(state=absent)); empty when it does not exist. Never the secret.
  returned: always
  type: dict
  contains:
    access_key:
      description: Access key.
      type: str
      sample: team-a-jobs
    user:
      description: Parent user.
      type: str
      sample: team-a
    status:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    policy:
      description: Inline policy, null when the account has its parent's rights.
      type: dict
    name:
      description: Display name.
      type: str
    description:
      description: Description.
      type: str
    expiration:
      description: Expiry time (RFC 3339), null for none.
      type: str
secret_key:
  description:
    - The secret the module generated. Only returned when it created the account without a given O(secret_key);
      MinIO never tells an existing secret.
  returned: when generated
  type: str
secret_changed:
  description: Whether the account's secret was set (created or changed) by this run.
  returned: always
  type: bool
"""

import datetime
import secrets
import string

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import key_problem
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    normalise_policy,
    policies_equal,
)

_STATUS = {"on": "enabled", "off": "disabled", "enabled": "enabled", "disabled": "disabled"}


def parse_time(text):
    """An RFC 3339 time as an aware datetime; None for none (MinIO's zero or far-future times)."""
    if not text:
        return None
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise MinioModuleError("expiration %r is not an RFC 3339 time such as 2027-06-30T00:00:00Z" % text) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    if when.year <= 1970 or when.year >= 9999:
        return None
    return when


def format_time(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else None


def read_account(admin, access_key):
    info = admin.service_account_info(access_key)
    if info is None:
        return None
    policy = None
    if not info.get("impliedPolicy") and info.get("policy"):
        policy = load_policy(info["policy"])
    return {
        "access_key": access_key,
        "user": info.get("parentUser"),
        "status": _STATUS.get(info.get("accountStatus"), info.get("accountStatus")),
        "policy": policy,
        "name": info.get("name") or "",
        "description": info.get("description") or "",
        "expiration": format_time(parse_time(info.get("expiration"))),
    }


def wanted_account(params, current, login_access_key):
    policy = None
    if params["policy"] is not None:
        try:
            policy = load_policy(params["policy"])
        except PolicyError as exc:
            raise MinioModuleError("policy: %s" % exc) from None
    base = current or {"name": "", "description": "", "expiration": None}
    return {
        "access_key": params["access_key"],
        "user": params["user"] or (current["user"] if current else login_access_key),
        "status": params["status"],
        "policy": policy,
        "name": base["name"] if params["name"] is None else params["name"],
        "description": base["description"] if params["description"] is None else params["description"],
        "expiration": base["expiration"] if params["expiration"] is None
        else format_time(parse_time(params["expiration"])),
    }


def differs(current, wanted):
    """Names of the fields that differ (the policy by meaning)."""
    fields = [k for k in ("status", "name", "description", "expiration") if current[k] != wanted[k]]
    if not policies_equal(current["policy"], wanted["policy"]):
        fields.append("policy")
    return fields


def update_body(wanted, fields, new_secret):
    """The update-service-account request for the wanted account."""
    body = {"newStatus": "on" if wanted["status"] == "enabled" else "off"}
    # Always resend the inline policy: MinIO drops it from an update without one (which is
    # also how it is removed when the wanted account has none).
    if wanted["policy"] is not None:
        body["newPolicy"] = wanted["policy"]
    if "name" in fields:
        body["newName"] = wanted["name"]
    if "description" in fields:
        body["newDescription"] = wanted["description"]
    if "expiration" in fields and wanted["expiration"]:
        body["newExpiration"] = wanted["expiration"]
    if new_secret:
        body["newSecretKey"] = new_secret
    return body


def generate_secret():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for dummy in range(40))


def diff_view(account):
    if not account:
        return {}
    view = dict(account)
    if view["policy"] is not None:
        view["policy"] = normalise_policy(view["policy"])
    return view


def main():
    argument_spec = minio_argument_spec()
    argument_spec.update(
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
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    access_key = params["access_key"]
    problem = key_problem(access_key, params["secret_key"], max_access_key=20)
    if problem:
        module.fail_json(msg=problem)
    if params["name"] is not None and len(params["name"]) > 32:
        module.fail_json(msg="name must be at most 32 characters")
    if params["description"] is not None and len(params["description"]) > 256:
        module.fail_json(msg="description must be at most 256 characters")

    result = {"changed": False, "secret_changed": False}
    try:
        conn = MinioConnection(module)
        admin = MinioAdminApi(conn)
        current = read_account(admin, access_key)
        if params["state"] == "absent":
            result["changed"] = current is not None
            if current and not module.check_mode:
                admin.delete_service_account(access_key)
            after = {}
        else:
            wanted = wanted_account(params, current, conn.access_key)
            after = wanted
            if current is None:
                secret = params["secret_key"] or generate_secret()
                if not module.check_mode:
                    admin.add_service_account(
                        access_key, secret, parent=params["user"], policy=wanted["policy"], name=wanted["name"],
                        description=wanted["description"], expiration=wanted["expiration"])
                    if wanted["status"] == "disabled":
                        # MinIO creates every service account enabled, whatever the request says.
                        admin.update_service_account(access_key, update_body(wanted, [], None))
                    if not params["secret_key"]:
                        result["secret_key"] = secret
                result.update(changed=True, secret_changed=True)
            else:
                if current["user"] != wanted["user"]:
                    raise MinioModuleError(
                        "service account %s belongs to user %s, not %s; a service account cannot move to another "
                        "user: remove it (state: absent) and create it again"
                        % (access_key, current["user"], wanted["user"]))
                fields = differs(current, wanted)
                set_secret = False
                if params["secret_key"] and params["update_password"] == "always":  # noqa: S105 - a choice, not a password
                    if current["status"] == "enabled":
                        set_secret = not conn.secret_works(access_key, params["secret_key"])
                    elif wanted["status"] == "disabled":
                        module.warn("service account %s is disabled, so MinIO cannot tell whether its secret "
                                    "matches secret_key; the secret was left as it is" % access_key)
                    else:
                        # Being enabled now: its secret can only be checked afterwards, so set it.
                        set_secret = True
                if fields or set_secret:
                    if not module.check_mode:
                        admin.update_service_account(
                            access_key, update_body(wanted, fields, params["secret_key"] if set_secret else None))
                    result.update(changed=True, secret_changed=set_secret)
    except MinioModuleError as exc:
        module.fail_json(msg=str(exc), **result)

    result["service_account"] = after if params["state"] == "present" else (current or {})
    if module._diff:
        before, after_view = diff_view(current), diff_view(after)
        if result["secret_changed"]:
            if current:
                before["secret_key"] = "********"  # noqa: S105 - the mask, not a secret
            after_view["secret_key"] = "******** (new)"  # noqa: S105 - the mask, not a secret
        result["diff"] = {"before": before, "after": after_view}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
