#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mlflow_workspace
short_description: Manage an MLflow workspace, its description and artifact root
description:
  - Create, update or delete a workspace of an MLflow tracking server started with C(--enable-workspaces).
  - A new workspace comes with the roles C(admin) and C(user); M(onprem.mlflow.mlflow_workspace_member) assigns them.
  - The description and the default artifact root are updated in place when they drift.
  - Deleting never loses data silently. Without O(purge), a workspace that still holds experiments (deleted
    ones included), registered models or other resources is not deleted and the task fails with nothing
    changed. With O(purge=true) the workspace is deleted together with its contents (MLflow's C(mode=CASCADE)).
    MLflow's third mode, C(SET_DEFAULT), which moves the contents into the shared C(default) workspace where
    other users could see them, is never used.
  - To manage many workspaces in one task, use M(onprem.mlflow.mlflow_workspaces) (one read for all).
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  name:
    description:
      - Name of the workspace, 2-63 characters matching C(^[a-z0-9]([-a-z0-9]*[a-z0-9])?$) (a DNS-1123 label).
      - V(default), V(workspaces), V(api), V(ajax-api) and V(static-files) are reserved by MLflow.
    type: str
    required: true
  description:
    description:
      - Free-text description. Not set leaves it as it is; V("") clears it.
    type: str
  default_artifact_root:
    description:
      - Where runs of the workspace store their artifacts, for example V(s3://team-a/mlflow).
      - Not set leaves it as it is (the server's artifact root applies to a new workspace); V("") clears it.
      - Only new runs use a changed root; existing runs keep their artifact URIs.
    type: str
  state:
    description:
      - V(present) creates or updates the workspace; V(absent) deletes it (see O(purge)).
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=absent), also delete the experiments, runs, models and other resources the workspace still
        holds. Without it a non-empty workspace is not deleted and the task fails.
    type: bool
    default: false
extends_documentation_fragment:
  - onprem.mlflow.mlflow
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.mlflow_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: The team's workspace, its artifacts in the team's bucket
  onprem.mlflow.mlflow_workspace:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    name: team-a
    description: Team A experiments
    default_artifact_root: s3://team-a/mlflow

- name: Retire a workspace; fails if it still holds experiments or models
  onprem.mlflow.mlflow_workspace:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    name: team-old
    state: absent

- name: Retire a workspace and delete everything in it
  onprem.mlflow.mlflow_workspace:
    tracking_uri: https://mlflow.example.com
    admin_username: admin
    admin_password: "{{ mlflow_admin_password }}"
    name: team-old
    state: absent
    purge: true
"""

RETURN = r"""
workspace:
  description: The workspace after the task; empty when O(state=absent). Unset fields read as V("").
  returned: always
  type: dict
  contains:
    name:
      description: The workspace's name.
      type: str
      sample: team-a
    description:
      description: Its description.
      type: str
      sample: Team A experiments
    default_artifact_root:
      description: Its default artifact root.
      type: str
      sample: s3://team-a/mlflow
actions:
  description: What the task changed, in words; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: [updated description]
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.module import MlflowModule
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.workspaces import (
    WORKSPACE_OPTIONS,
    converge_workspaces,
)


def main():
    module = MlflowModule(WORKSPACE_OPTIONS)
    workspace, before, after = module.run_single(converge_workspaces, "workspaces", lambda item: item["name"])
    module.exit(workspace["changed"], before or {}, after or {}, workspace=workspace["workspace"],
                actions=workspace["actions"])


if __name__ == "__main__":
    main()
