#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspace_rosters
short_description: Make the member lists of many MLflow workspaces exactly the given ones
description:
  - The roster form of M(onprem.mlflow.mlflow_workspace_members) with
    O(onprem.mlflow.mlflow_workspace_members#module:exact=true) (the same converge),
    grouped by workspace - each entry is a workspace with its complete member list.
  - For each listed workspace, every listed member holds exactly the given role, and every other user loses the
    roles it holds there (a member taken off a team's list loses access).
  - "Cost of a run: three list requests (C(users/list) with every user's roles, C(workspaces), C(roles/list)),
    whatever the number of workspaces, and one request per change; the changes run on O(workers) threads."
  - Workspaces not listed are left alone, as are MLflow's synthetic C(__user_<id>__) roles.
    An empty O(rosters[].members)
    removes every member of that workspace. A listed workspace that does not exist and has no members is skipped.
  - Every entry is checked before anything changes (unknown workspaces, users or roles, a workspace listed twice,
    a user listed twice in one workspace's members, with different roles or not); a bad entry fails the task with
    nothing changed. In check mode, members of workspaces or users that do not exist yet are
    reported as to be assigned.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  rosters:
    description:
      - The workspaces and their complete member lists.
    type: list
    elements: dict
    required: true
    suboptions:
      workspace:
        description: Name of the workspace.
        type: str
        required: true
      members:
        description:
          - Every member of the workspace and its role.
          - A user may appear once; listed twice (with different roles or not) fails the task before any change.
        type: list
        elements: dict
        default: []
        suboptions:
          username:
            description: The member's MLflow username.
            type: str
            required: true
          role:
            description: V(user), V(admin) or the name of a custom role of the workspace; the member's only role there.
            type: str
            default: user
  workers:
    description:
      - Largest number of requests in flight at once, at least 1 (V(0) or less fails the task).
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
- name: Team a's members, nobody else
  onprem.mlflow.mlflow_workspace_rosters:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    rosters:
      - workspace: team-a
        members:
          - username: alice
            role: admin
          - username: team-a-workload
      - workspace: old-team
        members: []
"""

RETURN = r"""
members:
  description: One entry per membership considered (listed ones, and removed ones).
  returned: always
  type: list
  elements: dict
  contains:
    workspace:
      description: Workspace.
      type: str
      sample: team-a
    username:
      description: User.
      type: str
      sample: alice
    role:
      description: The role the member holds in the workspace; V(null) for a removed user.
      type: str
      sample: admin
    state:
      description: V(present) for a listed member, V(absent) for a user removed from the workspace.
      type: str
      sample: present
    roles:
      description: The roles the user holds in the workspace after the run.
      type: list
      elements: str
      sample: [admin]
    changed:
      description: Whether this membership changed.
      type: bool
      sample: true
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [assigned admin]
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import ROSTER_OPTIONS, converge_rosters
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule


def main():
    MlflowModule(ROSTER_OPTIONS, list_option="rosters").run_list(converge_rosters, "members")


if __name__ == "__main__":
    main()
