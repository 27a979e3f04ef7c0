#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_policies
short_description: Manage many MinIO canned policies in one task
description:
  - The list form of M(onprem.mlflow.minio_policy), for platforms with hundreds of policies.
  - "Cost of a run: one request that lists every canned policy with its document, and one request per change."
  - Policies are compared by meaning (key order, a one-element list against a bare string, whitespace), as MinIO
    re-serialises what it stores.
  - Every entry is checked before anything changes; a bad entry fails the task with nothing changed.
  - Policies not listed are left alone. A policy still attached to a user cannot be deleted; detach it first
    (M(onprem.mlflow.minio_users)). M(onprem.mlflow.minio_policy) is the one-policy form, through the same code.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  policies:
    description:
      - The policies and their wanted state.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Policy name.
        type: str
        required: true
      policy:
        description:
          - The policy document (a dict or a JSON string). Required with O(policies[].state=present).
          - P(onprem.mlflow.minio_bucket_policy#filter) makes the least-privilege policy of one bucket.
        type: raw
      state:
        description: V(present) creates or replaces the policy; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
  workers:
    description: Largest number of requests in flight at once, 1 or more.
    type: int
    default: 8
extends_documentation_fragment:
  - onprem.mlflow.minio
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.minio_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: One least-privilege policy per team bucket
  onprem.mlflow.minio_policies:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    policies:
      - name: mlflow-team-a
        policy: "{{ 'mlflow-team-a' | onprem.mlflow.minio_bucket_policy }}"
      - name: mlflow-old-team
        state: absent
"""

RETURN = r"""
policies:
  description: One entry per listed policy, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Policy name.
      type: str
      sample: mlflow-team-a
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this policy changed.
      type: bool
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [created]
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.policy import POLICY_OPTIONS, converge_policies


def main():
    MinioModule(POLICY_OPTIONS, "policies").run_list(converge_policies)


if __name__ == "__main__":
    main()
