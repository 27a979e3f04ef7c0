#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_users
short_description: Manage many MinIO users and their attached policies in one task
description:
  - A list form of M(onprem.mlflow.minio_user) for users that act only through their service accounts, such as the
    parent user of each MLflow tenant's access key.
  - "Cost of a run: one request that lists every user with its status and policies, and one request per change."
  - A user is created with a random secret that is neither kept nor returned (hand out service accounts instead,
    M(onprem.mlflow.minio_service_accounts)); use M(onprem.mlflow.minio_user) for a user that logs in itself.
    Listed users are enabled.
  - Every entry is checked before anything changes; a bad entry fails the task with nothing changed.
  - Users not listed are left alone. Deleting a user also deletes its service accounts.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  users:
    description:
      - The users and their wanted state.
    type: list
    elements: dict
    required: true
    suboptions:
      access_key:
        description: The user's access key (name), at least 3 characters.
        type: str
        required: true
      policies:
        description:
          - Exactly the canned policies attached to the user; others are detached. They must exist.
          - Not set leaves the attached policies as they are.
        type: list
        elements: str
      state:
        description: V(present) creates or updates the user; V(absent) deletes it with its service accounts.
        type: str
        choices: [present, absent]
        default: present
  workers:
    description: Largest number of requests in flight at once.
    type: int
    default: 8
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
- name: Each team's MinIO user, limited to its bucket's policy
  onprem.mlflow.minio_users:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    users:
      - access_key: mlflow-team-a
        policies: [mlflow-team-a]
      - access_key: mlflow-old-team
        state: absent
"""

RETURN = r"""
users:
  description: One entry per listed user, in the order given. Never a secret.
  returned: always
  type: list
  elements: dict
  contains:
    access_key:
      description: The user's access key.
      type: str
      sample: mlflow-team-a
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this user changed.
      type: bool
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [created, attached mlflow-team-a]
    user:
      description: The user after the run (access_key, status, policies), empty when absent.
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    USER_OPTIONS,
    converge_users,
    list_module_spec,
    run_list_module,
)


def main():
    module = AnsibleModule(argument_spec=list_module_spec("users", USER_OPTIONS), supports_check_mode=True)
    module.exit_json(**run_list_module(module, "users", converge_users))


if __name__ == "__main__":
    main()
