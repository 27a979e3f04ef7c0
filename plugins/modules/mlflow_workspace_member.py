#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspace_member
short_description: Give an MLflow user a role in a workspace, or take it away
description:
  - Membership in an MLflow workspace is a role assignment. Every workspace has two built-in roles, V(user)
    (use the workspace - read everything, create experiments and models, manage only what you created) and
    V(admin) (manage the workspace), and may have custom roles created by an admin.
  - A member holds exactly one of these roles per workspace. Changing O(role) assigns the new role first, then
    removes the others, so the user never loses access in between.
  - A user may belong to several workspaces, with a different role in each (one task per workspace).
  - MLflow's synthetic per-user roles (C(__user_<id>__), holding the grants on what a user created) are never
    touched.
  - "Cost of a run: three list requests (C(users/list), C(workspaces), C(roles/list)) plus one per change. To
    manage many memberships in one task, use M(onprem.mlflow.mlflow_workspace_members) (the same converge over
    a list, optionally the exact member set of workspaces)."
  - In check mode, a membership of a workspace or user that does not exist yet (a previous task of the same
    check-mode run would create it) is reported as to be assigned rather than refused.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  workspace:
    description:
      - The workspace. With O(state=present) it must exist (M(onprem.mlflow.mlflow_workspace)).
    type: str
    required: true
  username:
    description:
      - The user. With O(state=present) it must exist (M(onprem.mlflow.mlflow_user)).
    type: str
    required: true
  role:
    description:
      - The role the user holds in the workspace, V(user), V(admin), or the name of a custom role of that
        workspace. A role that does not exist fails the task before anything changes.
      - Ignored with O(state=absent).
    type: str
    default: user
  state:
    description:
      - V(present) makes O(role) the user's only role in the workspace.
      - V(absent) removes every role the user holds in the workspace (the synthetic per-user role excepted);
        nothing happens when the user or the workspace does not exist.
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
- name: Bob uses team A's workspace
  onprem.mlflow.mlflow_workspace_member:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workspace: team-a
    username: bob

- name: Alice manages team B's workspace
  onprem.mlflow.mlflow_workspace_member:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workspace: team-b
    username: alice
    role: admin

- name: Bob leaves team B
  onprem.mlflow.mlflow_workspace_member:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workspace: team-b
    username: bob
    state: absent
"""

RETURN = r"""
member:
  description: The membership after the task.
  returned: always
  type: dict
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
      description: The role the user holds in the workspace; V(null) when O(state=absent).
      type: str
      sample: user
actions:
  description: What the task changed, in words; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [assigned admin, unassigned user]
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import MEMBER_OPTIONS, converge_members
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule


def main():
    module = MlflowModule(MEMBER_OPTIONS)
    member, before, after = module.run_single(converge_members, "members",
                                              lambda item: "%s/%s" % (item["workspace"], item["username"]))
    roles = member["roles"]
    module.exit(member["changed"], dict(roles=roles if before is None else before),
                dict(roles=roles if after is None else after), actions=member["actions"],
                member=dict(workspace=member["workspace"], username=member["username"], role=member["role"]))


if __name__ == "__main__":
    main()
