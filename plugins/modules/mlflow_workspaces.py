#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspaces
short_description: Manage many MLflow workspaces in one task
description:
  - The list form of M(onprem.mlflow.mlflow_workspace), for platforms with hundreds of tenants.
  - "Cost of a run: one C(workspaces) list request for all workspaces plus one request per change (and two
    read requests per workspace to delete without O(workspaces[].purge), to make sure it is empty). A no-op run
    is a single request whatever the number of workspaces."
  - Every entry is checked before anything changes (names, duplicates, non-empty workspaces to delete without
    O(workspaces[].purge)); a bad entry fails the task with nothing changed.
  - Workspaces not listed are left alone.
  - The per-workspace requests (emptiness checks, creations, changes, deletions) run on up to O(workers) threads.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  workspaces:
    description:
      - The workspaces and their wanted state. Each entry takes the options of M(onprem.mlflow.mlflow_workspace).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the workspace, a DNS-1123 label of 2-63 characters; V(default), V(workspaces), V(api),
            V(ajax-api) and V(static-files) are reserved.
        type: str
        required: true
      description:
        description:
          - Free-text description. Not set leaves it as it is; V("") clears it.
        type: str
      default_artifact_root:
        description:
          - Where runs of the workspace store their artifacts. Not set leaves it as it is; V("") clears it.
        type: str
      state:
        description:
          - V(present) creates or updates the workspace; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
      purge:
        description:
          - With O(workspaces[].state=absent), also delete what the workspace holds (MLflow's C(mode=CASCADE)).
            Without it a non-empty workspace is not deleted and the task fails before any change.
        type: bool
        default: false
  workers:
    description:
      - Largest number of per-workspace requests in flight at once, at least 1 (V(0) or less fails the task).
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
- name: One workspace per team, artifacts in the team's bucket
  onprem.mlflow.mlflow_workspaces:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    workspaces:
      - name: team-a
        description: Team A experiments
        default_artifact_root: s3://team-a/mlflow
      - name: team-b
        description: Team B experiments
        default_artifact_root: s3://team-b/mlflow
      - name: team-old
        state: absent
"""

RETURN = r"""
workspaces:
  description: One entry per item of O(workspaces), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The workspace's name.
      type: str
      sample: team-a
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this workspace was changed.
      type: bool
      sample: false
    actions:
      description: What was changed, in words.
      type: list
      elements: str
      sample: [created]
    workspace:
      description: The workspace after the task (C(name), C(description), C(default_artifact_root)); empty when absent.
      type: dict
      sample: {"name": "team-a", "description": "Team A", "default_artifact_root": "s3://team-a/mlflow"}
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.workspaces import (
    WORKSPACE_OPTIONS,
    converge_workspaces,
)


def main():
    MlflowModule(WORKSPACE_OPTIONS, list_option="workspaces").run_list(converge_workspaces, "workspaces")


if __name__ == "__main__":
    main()
