#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_users
short_description: Manage many MLflow basic-auth users in one task
description:
  - The list form of M(onprem.mlflow.mlflow_user), for platforms with hundreds of users (one task per tenant
    playbook instead of one per user).
  - "Cost of a run: one C(users/list) request for all users, one request per change, and with
    O(users[].update_password=always) one C(users/current) request per user that has a password, which the
    server answers with a password-hash check (slow by design; the server's auth cache makes repeats cheap).
    A no-op run with O(users[].update_password=on_create) is a single request whatever the number of users."
  - Every entry is checked before anything changes (names, password lengths, passwords for new users,
    duplicates); a bad entry fails the task with nothing changed.
  - The per-user requests (password checks, creations, changes, deletions) run on up to O(workers) threads.
  - Users not listed are left alone.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  users:
    description:
      - The users and their wanted state. Each entry takes the options of M(onprem.mlflow.mlflow_user).
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description:
          - Name of the user. It must not be empty and must not contain V(:).
        type: str
        required: true
      password:
        description:
          - The user's password, at least 12 characters. Never logged, never returned.
          - Required to create the user.
        type: str
      update_password:
        description:
          - V(always) makes the password O(users[].password), after checking (logging in as the user) whether it
            already matches; V(on_create) sets it only when the user is created.
        type: str
        choices: [always, on_create]
        default: always
      is_admin:
        description:
          - Whether the user is an MLflow admin. Not set leaves the flag as it is; new users are created without it.
        type: bool
      state:
        description:
          - V(present) creates or updates the user; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
  workers:
    description:
      - Largest number of per-user requests in flight at once, at least 1 (V(0) or less fails the task).
      - Why several at once - each password check (C(users/current)) and each new user costs a password hash on
        the server, slow by design and CPU-bound; the server's workers compute several at once, so at hundreds
        of users this is several times faster than one request after the other. V(1) sends them one by one.
    type: int
    default: 8
extends_documentation_fragment:
  - onprem.mlflow.mlflow
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.mlflow_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: Every team's members and job identity
  onprem.mlflow.mlflow_users:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workers: 4  # password checks in flight at once
    users:
      - username: alice
        password: "{{ alice_mlflow_password }}"
        update_password: on_create
      - username: bob
        password: "{{ bob_mlflow_password }}"
        update_password: on_create
      - username: team-a-jobs
        password: "{{ team_a_jobs_password }}"
        update_password: on_create
      - username: mallory
        state: absent
"""

RETURN = r"""
users:
  description: One entry per item of O(users), in the same order. Never contains a password.
  returned: always
  type: list
  elements: dict
  contains:
    username:
      description: The user's name.
      type: str
      sample: alice
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this user was changed.
      type: bool
      sample: true
    actions:
      description: What was changed, in words.
      type: list
      elements: str
      sample: [created]
    user:
      description: The user after the task (C(id), C(username), C(is_admin)); empty when absent.
      type: dict
      sample: {"id": 7, "username": "alice", "is_admin": false}
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.users import USER_OPTIONS, converge_users


def main():
    MlflowModule(USER_OPTIONS, list_option="users").run_list(converge_users, "users")


if __name__ == "__main__":
    main()
