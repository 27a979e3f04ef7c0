#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspace_rosters
short_description: Make the member lists of many MLflow workspaces exactly the given ones
description:
  - For each listed workspace, every listed member holds exactly the given role, and every other user loses the
    roles it holds there. M(onprem.mlflow.mlflow_workspace_members) changes only the memberships it is given; this
    module also removes the ones no longer listed (a member taken off a team's list loses access).
  - "Cost of a run: three list requests (C(users/list) with every user's roles, C(workspaces), C(roles/list)),
    whatever the number of workspaces, and one request per change; the changes run on O(workers) threads."
  - Workspaces not listed are left alone, as are MLflow's synthetic C(__user_<id>__) roles.
    An empty O(rosters[].members)
    removes every member of that workspace. A listed workspace that does not exist and has no members is skipped.
  - Every entry is checked before anything changes (unknown workspaces, users or roles, duplicates); a bad entry
    fails the task with nothing changed. In check mode, members of workspaces or users that do not exist yet are
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
        description: Every member of the workspace and its role.
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
    description: Largest number of requests in flight at once.
    type: int
    default: 8
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
    state:
      description: V(present) for a listed member, V(absent) for a user removed from the workspace.
      type: str
    roles:
      description: The roles the user holds in the workspace after the run.
      type: list
      elements: str
      sample: [admin]
    changed:
      description: Whether this membership changed.
      type: bool
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [assigned admin]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import (
    CONNECTION_ARGUMENT_SPEC,
    run_converge,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.rosters import ROSTER_OPTIONS, converge_rosters


def main():
    argument_spec = dict(CONNECTION_ARGUMENT_SPEC,
                         rosters=dict(type="list", elements="dict", required=True, options=ROSTER_OPTIONS),
                         workers=dict(type="int", default=8))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    workers = module.params["workers"]
    result = run_converge(module, lambda client, rosters, check_mode: converge_rosters(client, rosters, check_mode,
                                                                                       workers),
                          module.params["rosters"])
    module.exit_json(changed=result["changed"], members=result["members"], diff=result["diff"])


if __name__ == "__main__":
    main()
