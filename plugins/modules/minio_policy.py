#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_policy
short_description: Manage a MinIO canned (IAM) policy
description:
  - Create, update or remove a named policy on a MinIO server, to attach to users with M(onprem.mlflow.minio_user).
  - Policies are compared by meaning, not by text, because MinIO re-serialises what it stores
    (key order, whitespace, V(["x"]) versus V("x"), the order of actions, resources and statements).
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  name:
    description:
      - Name of the policy.
    type: str
    required: true
  policy:
    description:
      - The policy document, as a dict or a JSON string (IAM policy, C(Version) V(2012-10-17)).
      - The filter P(onprem.mlflow.minio_bucket_policy#filter) builds the policy that allows one bucket only.
      - Required with O(state=present).
    type: raw
  state:
    description:
      - V(present) creates or updates the policy; V(absent) removes it.
      - Removing a policy that is still attached to a user fails; detach it first.
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
- name: A policy that allows the team's bucket and nothing else
  onprem.mlflow.minio_policy:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    name: mlflow-team-a
    policy: "{{ 'mlflow-team-a' | onprem.mlflow.minio_bucket_policy }}"

- name: Remove it
  onprem.mlflow.minio_policy:
    name: mlflow-team-a
    state: absent
"""

RETURN = r"""
policy:
  description: The policy document as MinIO stores it after the run (before it, for O(state=absent)); null when absent.
  returned: always
  type: dict
  sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
           "Resource": ["arn:aws:s3:::mlflow-team-a/*"]}]}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import (
    PolicyError,
    load_policy,
    policies_equal,
    policy_text,
)


def main():
    argument_spec = minio_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        policy=dict(type="raw"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[("state", "present", ["policy"])])
    name = module.params["name"]
    state = module.params["state"]
    wanted = None
    if state == "present":
        try:
            wanted = load_policy(module.params["policy"])
        except PolicyError as exc:
            module.fail_json(msg="policy %s: %s" % (name, exc))

    try:
        admin = MinioAdminApi(MinioConnection(module))
        current = admin.policy_info(name)
        if state == "present":
            changed = not policies_equal(current, wanted)
            if changed and not module.check_mode:
                admin.add_policy(name, wanted)
                # What the server stored, so `policy` returns its own spelling.
                after = admin.policy_info(name)
            else:
                after = wanted if changed else current
        else:
            changed = current is not None
            if changed and not module.check_mode:
                admin.remove_policy(name)
            after = None
    except MinioModuleError as exc:
        module.fail_json(msg=str(exc), changed=False)

    result = {"changed": changed, "policy": after if state == "present" else current}
    if module._diff:
        result["diff"] = {"before": policy_text(current) or "", "after": policy_text(after) or "",
                          "before_header": "policy %s" % name, "after_header": "policy %s" % name}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
