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
  - "Cost of a run: one request that lists every user with its status and policies, one signed request per user
    with O(users[].secret_key) to tell whether MinIO still accepts that secret, and one request per change. The
    per-user requests run on O(workers) threads."
  - A user without O(users[].secret_key) is created with a random secret that is neither kept nor returned (hand out
    service accounts instead, M(onprem.mlflow.minio_service_accounts)), unless O(users[].random_secret=false).
  - M(onprem.mlflow.minio_user) is the one-user form, through the same code.
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
      secret_key:
        description:
          - The user's secret key, 8-40 characters. Never logged.
          - Not set, a created user gets a random secret (O(users[].random_secret)), an existing one keeps its own.
        type: str
      update_password:
        description:
          - V(always) makes the user's secret O(users[].secret_key). One signed request first checks whether MinIO
            already accepts it, and nothing changes when it does.
          - V(on_create) sets O(users[].secret_key) only when the user is created.
          - The secret of a user that is and stays disabled cannot be checked (MinIO refuses a disabled user before
            it checks a signature); it is left as it is, with a warning.
        type: str
        choices: [always, on_create]
        default: always
      random_secret:
        description:
          - Without O(users[].secret_key), create the user with a random secret that is neither kept nor returned.
          - V(false) makes creating a user without O(users[].secret_key) fail before anything changes.
        type: bool
        default: true
      policies:
        description:
          - Exactly the canned policies attached to the user; others are detached. They must exist (except in
            check mode, where an earlier task of the same run may not have created them).
          - Not set leaves the attached policies as they are.
        type: list
        elements: str
      status:
        description: Whether the user can sign in.
        type: str
        choices: [enabled, disabled]
        default: enabled
      state:
        description: V(present) creates or updates the user; V(absent) deletes it with its service accounts.
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
    secret_changed:
      description: Whether the user's secret was set (created or changed) by this run.
      type: bool
    user:
      description: The user after the run (access_key, status, policies), empty when absent. Never the secret.
      type: dict
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.user import converge_users, user_options


def main():
    MinioModule(user_options(random_secret=True), "users").run_list(converge_users)


if __name__ == "__main__":
    main()
