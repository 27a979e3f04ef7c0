#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_users_parallel
short_description: Manage many MLflow basic-auth users in one task, several requests at a time
description:
  - M(onprem.mlflow.mlflow_users) with the per-user requests (password checks, creations, changes) on up to
    O(workers) threads. Same options per user, same checks before any change, same results.
  - Each password check (C(users/current)) and each new user costs a password hash on the server, which is slow by
    design and CPU-bound; the server's workers compute several at once, so at hundreds of users this is several
    times faster than one request after the other.
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
    description: Largest number of requests in flight at once.
    type: int
    default: 8
extends_documentation_fragment:
  - onprem.mlflow.mlflow
attributes:
  check_mode:
    description: Can run in check mode and return the changed status without changing anything.
    support: full
  diff_mode:
    description: Returns before and after in diff mode, secrets masked.
    support: full
"""

EXAMPLES = r"""
- name: Every team's members and job identities
  onprem.mlflow.mlflow_users_parallel:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workers: 8
    users:
      - username: alice
        password: "{{ alice_mlflow_password }}"
      - username: team-a-workload
        password: "{{ team_a_workload_password }}"
        update_password: on_create
  no_log: true
"""

RETURN = r"""
users:
  description: One entry per listed user, in the order given. Never a password.
  returned: always
  type: list
  elements: dict
  contains:
    username:
      description: Name of the user.
      type: str
      sample: alice
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this user changed.
      type: bool
      sample: true
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [created]
    user:
      description: The user after the run (id, username, is_admin); empty when absent.
      type: dict
      sample: {"id": 7, "username": "alice", "is_admin": false}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_client import (
    CONNECTION_ARGUMENT_SPEC,
    run_converge,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_parallel import converge_users
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow_users import USER_OPTIONS


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC,
                         users=dict(type="list", elements="dict", required=True, options=USER_OPTIONS),
                         workers=dict(type="int", default=8))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    workers = module.params["workers"]
    result = run_converge(module, lambda client, users, check_mode: converge_users(client, users, check_mode, workers),
                          module.params["users"])
    module.exit_json(changed=result["changed"], users=result["users"], diff=result["diff"])


if __name__ == "__main__":
    main()
