#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspace_members
short_description: Manage many MLflow workspace memberships in one task
description:
  - The list form of M(onprem.mlflow.mlflow_workspace_member), for platforms with hundreds of tenants.
  - "Cost of a run: three list requests (C(users/list) with every user's roles, C(workspaces), C(roles/list))
    for all memberships plus one request per change. A no-op run is three requests whatever the number of
    memberships."
  - Every entry is checked before anything changes (unknown workspaces, users or roles, duplicates); a bad
    entry fails the task with nothing changed.
  - Memberships not listed are left alone; the synthetic C(__user_<id>__) roles are never touched.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  members:
    description:
      - The memberships and their wanted state. Each entry takes the options of
        M(onprem.mlflow.mlflow_workspace_member); one user may appear once per workspace.
    type: list
    elements: dict
    required: true
    suboptions:
      workspace:
        description:
          - The workspace. With O(members[].state=present) it must exist.
        type: str
        required: true
      username:
        description:
          - The user. With O(members[].state=present) it must exist.
        type: str
        required: true
      role:
        description:
          - V(user), V(admin) or the name of a custom role of the workspace; the user's only role there.
          - Ignored with O(members[].state=absent).
        type: str
        default: user
      state:
        description:
          - V(present) makes O(members[].role) the user's only role in the workspace; V(absent) removes every
            role the user holds there.
        type: str
        choices: [present, absent]
        default: present
extends_documentation_fragment:
  - onprem.mlflow.mlflow
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
- name: Each team's members and job identity in the team's workspace
  onprem.mlflow.mlflow_workspace_members:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    members:
      - workspace: team-a
        username: alice
        role: admin
      - workspace: team-a
        username: team-a-jobs
      - workspace: team-b
        username: alice
        role: admin
      - workspace: team-b
        username: bob
        state: absent
"""

RETURN = r"""
members:
  description: One entry per item of O(members), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    workspace:
      description: The workspace.
      type: str
      sample: team-a
    username:
      description: The user.
      type: str
      sample: alice
    role:
      description: The role the user holds in the workspace; V(null) for O(members[].state=absent).
      type: str
      sample: admin
    roles:
      description: The roles the user holds in the workspace after the task (synthetic roles left out).
      type: list
      elements: str
      sample: [admin]
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this membership was changed.
      type: bool
      sample: true
    actions:
      description: What was changed, in words.
      type: list
      elements: str
      sample: [assigned admin]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import (
    CONNECTION_ARGUMENT_SPEC,
    run_converge,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import MEMBER_OPTIONS, converge_members


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC,
                         members=dict(type="list", elements="dict", required=True, options=MEMBER_OPTIONS))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    result = run_converge(module, converge_members, module.params["members"])
    module.exit_json(changed=result["changed"], members=result["members"], diff=result["diff"])


if __name__ == "__main__":
    main()
