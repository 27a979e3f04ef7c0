#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_user
short_description: Manage a MinIO user, its secret, status and attached policies
description:
  - Create, update or remove a user of MinIO's built-in identity provider.
  - Attach exactly the given policies to it (and detach the others).
  - MinIO's add-user call replaces the secret and re-enables a disabled user at once; this module only
    sends it when the user is missing or its secret must change, and then re-applies the wanted status.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  access_key:
    description:
      - The user's access key (its name), at least 3 characters.
    type: str
    required: true
  secret_key:
    description:
      - The user's secret key, 8-40 characters. Never logged.
      - Required to create the user.
    type: str
  update_password:
    description:
      - V(always) makes the user's secret O(secret_key). The module first checks with one signed request
        whether MinIO already accepts it, and changes nothing when it does.
      - V(on_create) sets O(secret_key) only when the user is created.
      - The secret of a user that is and stays disabled cannot be checked (MinIO refuses a disabled
        user before it checks a signature); it is left as it is, with a warning.
    type: str
    choices: [always, on_create]
    default: always
  policies:
    description:
      - Names of the canned policies attached to the user, exactly; others attached to it are detached.
      - V([]) detaches all. Not set leaves the attached policies as they are.
      - Each policy must exist (M(onprem.mlflow.minio_policy)); a missing one fails before anything changes.
    type: list
    elements: str
  status:
    description:
      - Whether the user can sign in.
    type: str
    choices: [enabled, disabled]
    default: enabled
  state:
    description:
      - V(present) creates or updates the user; V(absent) removes it, and with it its service accounts.
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
- name: The team's MinIO user, limited to the team's bucket policy
  onprem.mlflow.minio_user:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    access_key: team-a
    secret_key: "{{ team_a_minio_secret }}"
    policies:
      - mlflow-team-a

- name: Suspend the team's access without deleting anything
  onprem.mlflow.minio_user:
    access_key: team-a
    status: disabled

- name: Remove the user and its service accounts
  onprem.mlflow.minio_user:
    access_key: team-a
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the run (before it, for O(state=absent)); empty when it does not exist. Never the secret.
  returned: always
  type: dict
  contains:
    access_key:
      description: The user's access key.
      type: str
      sample: team-a
    status:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    policies:
      description: Attached policies, sorted.
      type: list
      elements: str
      sample: [mlflow-team-a]
secret_changed:
  description: Whether the user's secret was set (created or changed) by this run.
  returned: always
  type: bool
  sample: false
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import key_problem


def plan(module, conn, admin, current):
    """The user after the run, and whether its secret must be (re)set."""
    params = module.params
    access_key = params["access_key"]
    wanted = {
        "access_key": access_key,
        "status": params["status"],
        "policies": sorted(set(params["policies"])) if params["policies"] is not None
        else (current["policies"] if current else []),
    }
    if current is None:
        if not params["secret_key"]:
            raise MinioModuleError("user %s does not exist: give secret_key to create it" % access_key)
        return wanted, True
    set_secret = False
    if params["secret_key"] and params["update_password"] == "always":  # noqa: S105 - a choice, not a password
        if current["status"] == "disabled" and params["status"] == "disabled":
            module.warn("user %s is disabled, so MinIO cannot tell whether its secret matches secret_key; "
                        "the secret was left as it is" % access_key)
        elif current["status"] == "disabled" and module.check_mode:
            # Only enabling it would tell; check mode enables nothing.
            set_secret = True
        elif current["status"] == "enabled":
            set_secret = not conn.secret_works(access_key, params["secret_key"])
    return wanted, set_secret


def apply(module, conn, admin, current, wanted, set_secret):
    access_key = wanted["access_key"]
    secret_key = module.params["secret_key"]
    status = current["status"] if current else None
    if current and current["status"] == "disabled" and wanted["status"] == "enabled":
        admin.set_user_status(access_key, "enabled")
        status = "enabled"
        if module.params["update_password"] == "always" and secret_key:  # noqa: S105 - a choice
            set_secret = not conn.secret_works(access_key, secret_key)
    if set_secret:
        admin.add_user(access_key, secret_key)  # an upsert that also enables the user
        status = "enabled"
    if status != wanted["status"]:
        admin.set_user_status(access_key, wanted["status"])
    have = set(current["policies"]) if current else set()
    admin.detach_policies(access_key, sorted(have - set(wanted["policies"])))
    admin.attach_policies(access_key, sorted(set(wanted["policies"]) - have))
    return set_secret


def main():
    argument_spec = minio_argument_spec()
    argument_spec.update(
        access_key=dict(type="str", required=True, no_log=False),
        secret_key=dict(type="str", no_log=True),
        update_password=dict(type="str", default="always", choices=["always", "on_create"], no_log=False),
        policies=dict(type="list", elements="str"),
        status=dict(type="str", default="enabled", choices=["enabled", "disabled"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    access_key = params["access_key"]
    problem = key_problem(access_key, params["secret_key"])
    if problem:
        module.fail_json(msg=problem)

    secret_changed = False
    try:
        conn = MinioConnection(module)
        admin = MinioAdminApi(conn)
        info = admin.user_info(access_key)
        current = None if info is None else {
            "access_key": access_key, "status": info.get("status", "enabled"), "policies": info["policies"]}
        if params["state"] == "present":
            wanted, set_secret = plan(module, conn, admin, current)
            new_policies = set(wanted["policies"]) - set(current["policies"] if current else [])
            if new_policies:
                missing = sorted(new_policies - admin.policy_names())
                if missing:
                    raise MinioModuleError("policies %s do not exist on MinIO; create them first "
                                           "(onprem.mlflow.minio_policy); nothing was changed" % ", ".join(missing))
            changed = set_secret or wanted != current
            secret_changed = set_secret
            if changed and not module.check_mode:
                secret_changed = apply(module, conn, admin, current, wanted, set_secret)
            after = wanted
        else:
            changed = current is not None
            if changed and not module.check_mode:
                admin.remove_user(access_key)
            after = {}
    except MinioModuleError as exc:
        module.fail_json(msg=str(exc), changed=False)

    result = {"changed": changed, "secret_changed": secret_changed,
              "user": after if params["state"] == "present" else (current or {})}
    if module._diff:
        before = dict(current or {})
        after_view = dict(after)
        if secret_changed:
            # Secrets are masked: the diff only says that the secret changes.
            if current:
                before["secret_key"] = "********"  # noqa: S105 - the mask, not a secret
            after_view["secret_key"] = "******** (new)"  # noqa: S105 - the mask, not a secret
        result["diff"] = {"before": before, "after": after_view}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
