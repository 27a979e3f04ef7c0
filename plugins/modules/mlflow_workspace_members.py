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
  - Every entry is checked before anything changes (empty names, unknown workspaces, users or roles, a user
    listed twice for the same workspace); a bad entry fails the task with nothing changed.
  - In check mode, memberships of workspaces or users that do not exist yet (a previous task of the same
    check-mode run would create them) are reported as to be assigned rather than refused.
  - Without O(exact), memberships not listed are left alone. With O(exact=true), the list is the complete
    member list of every workspace it names (what O(community.postgresql.postgresql_membership#module:state=exact)
    is for a role's groups, here per workspace) - users who hold a role in one of those workspaces but are not
    listed lose it; workspaces not named keep all their members. M(onprem.mlflow.mlflow_workspace_rosters) is the
    same, grouped by workspace.
  - The synthetic C(__user_<id>__) roles are never touched.
  - The per-membership requests run on up to O(workers) threads.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  members:
    description:
      - The memberships and their wanted state. Each entry takes the options of
        M(onprem.mlflow.mlflow_workspace_member).
      - One user may appear once per workspace. The same workspace and user listed twice (with different
        roles or not) fails the task before any change, naming both.
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
  exact:
    description:
      - V(false) changes only the listed memberships.
      - V(true) also removes every other member of each workspace named in O(members) (its roles there are
        unassigned), so the listed memberships are all the members those workspaces have. Workspaces not named
        are left alone; a named workspace that does not exist yet has no members to remove.
      - A workspace to empty completely has nothing to name it by in this list; use
        M(onprem.mlflow.mlflow_workspace_rosters) with an empty member list, or O(members[].state=absent) entries.
    type: bool
    default: false
  workers:
    description:
      - Largest number of per-membership requests in flight at once, at least 1 (V(0) or less fails the task).
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

- name: Team B's workspace has exactly these members; anyone else there loses access
  onprem.mlflow.mlflow_workspace_members:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    exact: true
    workers: 4
    members:
      - workspace: team-b
        username: alice
        role: admin

- name: The connection once for every MLflow module of a block (the action group onprem.mlflow.mlflow)
  module_defaults:
    group/onprem.mlflow.mlflow:
      tracking_uri: https://mlflow.example.com
      admin_username: admin
      admin_password: "{{ mlflow_admin_password }}"
  block:
    - name: Alice manages team A's workspace
      onprem.mlflow.mlflow_workspace_members:
        members:
          - workspace: team-a
            username: alice
            role: admin
    - name: And team B's
      onprem.mlflow.mlflow_workspace_member:
        workspace: team-b
        username: alice
        role: admin
"""

RETURN = r"""
members:
  description:
    - One entry per item of O(members), in the same order; with O(exact=true) followed by one entry
      (O(members[].state=absent)) per member removed because it was not listed.
    - In check mode, memberships waiting for their workspace or user come last.
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
      description: The wanted state; V(absent) for a member removed by O(exact=true).
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

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.members import (
    EXACT_OPTION,
    MEMBER_OPTIONS,
    converge_members,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule


def main():
    module = MlflowModule(MEMBER_OPTIONS, list_option="members", extra_options=dict(exact=EXACT_OPTION))
    members = module.params["members"]
    exact = [item["workspace"] for item in members] if module.params["exact"] else []
    module.run_list(converge_members, "members", exact=exact)


if __name__ == "__main__":
    main()
