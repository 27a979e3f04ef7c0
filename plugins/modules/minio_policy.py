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
  - The one-policy form of M(onprem.mlflow.minio_policies), through the same code.
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
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.minio_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
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
  description:
    - The policy document after the run (before it, for O(state=absent)); null when absent.
    - The document this run wrote, or the one MinIO stores when nothing changed.
  returned: always
  type: dict
  sample: {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
           "Resource": ["arn:aws:s3:::mlflow-team-a/*"]}]}
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy import POLICY_OPTIONS, converge_policies
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy_doc import policy_text


def main():
    minio = MinioModule(POLICY_OPTIONS, required_if=[("state", "present", ["policy"])])
    item, diff = minio.run_single(converge_policies)
    header = "policy %s" % item["name"]
    minio.exit({"changed": item["changed"], "policy": item["_policy"]},
               {"before": policy_text(diff["before"]) or "", "after": policy_text(diff["after"]) or "",
                "before_header": header, "after_header": header})


if __name__ == "__main__":
    main()
