#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_user
short_description: Manage an MLflow basic-auth user, its password and admin flag
description:
  - Create, update or delete a user of an MLflow tracking server that runs with C(--app-name basic-auth).
  - The module reads the server's user list once (C(users/list)) and changes only what differs.
  - To manage many users in one task (hundreds of tenants), use M(onprem.mlflow.mlflow_users), which does the
    same for a list with one read for all of them.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  username:
    description:
      - Name of the user. It must not be empty and must not contain V(:) (HTTP basic auth cannot carry it).
    type: str
    required: true
  password:
    description:
      - The user's password, at least 12 characters (MLflow's rule). Never logged, never returned.
      - Required to create the user.
    type: str
  update_password:
    description:
      - V(always) makes the user's password O(password). The module first asks the server, logging in as the
        user (C(users/current)), whether the password already matches, and changes nothing when it does; the
        password is never read back. That check costs one password-hash check on the server.
      - V(on_create) sets O(password) only when the user is created and never checks it afterwards.
    type: str
    choices: [always, on_create]
    default: always
  is_admin:
    description:
      - Whether the user is an MLflow admin (full access to everything).
      - Not set leaves the flag as it is; a new user is created without it.
      - The admin user the module authenticates as cannot lose its own flag.
    type: bool
  state:
    description:
      - V(present) creates or updates the user; V(absent) deletes it (with its role assignments and grants).
      - The admin user the module authenticates as cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - onprem.mlflow.mlflow
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.mlflow_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: A team member
  onprem.mlflow.mlflow_user:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    username: alice
    password: "{{ alice_mlflow_password }}"

- name: Keep a generated password as it was first set, without checking it on every run
  onprem.mlflow.mlflow_user:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    username: team-a-jobs
    password: "{{ team_a_jobs_password }}"
    update_password: on_create

- name: Make a user an admin (connection from MLFLOW_TRACKING_URI/USERNAME/PASSWORD in the environment)
  onprem.mlflow.mlflow_user:
    username: bob
    is_admin: true

- name: Remove a user
  onprem.mlflow.mlflow_user:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    username: carol
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the task; empty when O(state=absent). Never contains a password.
    - In check mode the RV(user.id) of a user still to be created is V(null).
  returned: always
  type: dict
  contains:
    id:
      description: The user's numeric id on the server.
      type: int
      sample: 7
    username:
      description: The user's name.
      type: str
      sample: alice
    is_admin:
      description: Whether the user is an MLflow admin.
      type: bool
      sample: false
actions:
  description: What the task changed, in words; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [created]
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.users import USER_OPTIONS, converge_users


def main():
    module = MlflowModule(USER_OPTIONS)
    user, before, after = module.run_single(converge_users, "users", lambda item: item["username"])
    module.exit(user["changed"], before or {}, after or {}, user=user["user"], actions=user["actions"])


if __name__ == "__main__":
    main()
