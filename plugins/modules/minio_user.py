#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_user
short_description: Manage a MinIO user, its secret, status and attached policies
description:
  - Create, update or remove a user of MinIO's built-in identity provider.
  - Attach exactly the given policies to it (and detach the others).
  - MinIO's add-user call replaces the secret and re-enables a disabled user at once; this module only
    sends it when the user is missing or its secret must change, and then re-applies the wanted status.
  - The one-user form of M(onprem.mlflow.minio_users), through the same code; every option is also an option of
    each item there.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  access_key:
    description:
      - The user's access key (its name), at least 3 characters.
    type: str
    required: true
  secret_key:
    description:
      - The user's secret key, 8-40 characters. Never logged.
      - Required to create the user, unless O(random_secret=true).
    type: str
  random_secret:
    description:
      - Without O(secret_key), create the user with a random secret that is neither kept nor returned, for a user
        that acts only through its service accounts (M(onprem.mlflow.minio_service_account)).
      - V(false) makes creating a user without O(secret_key) fail.
    type: bool
    default: false
  update_password:
    description:
      - V(always) makes the user's secret O(secret_key). The module first checks with one signed request
        whether MinIO already accepts it, and changes nothing when it does.
      - V(on_create) sets O(secret_key) only when the user is created.
      - The secret of a user that is and stays disabled cannot be checked (MinIO refuses a disabled
        user before it checks a signature); it is left as it is, with a warning.
    type: str
    choices: [always, on_create]
    default: always
  policies:
    description:
      - Names of the canned policies attached to the user, exactly; others attached to it are detached.
      - V([]) detaches all. Not set leaves the attached policies as they are.
      - Each policy must exist (M(onprem.mlflow.minio_policy)); a missing one fails before anything changes
        (except in check mode, where an earlier task of the same run may not have created it).
    type: list
    elements: str
  status:
    description:
      - Whether the user can sign in.
    type: str
    choices: [enabled, disabled]
    default: enabled
  state:
    description:
      - V(present) creates or updates the user; V(absent) removes it, and with it its service accounts.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - onprem.mlflow.minio
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.minio_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: The team's MinIO user, limited to the team's bucket policy
  onprem.mlflow.minio_user:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    access_key: team-a
    secret_key: "{{ team_a_minio_secret }}"
    policies:
      - mlflow-team-a

- name: Suspend the team's access without deleting anything
  onprem.mlflow.minio_user:
    access_key: team-a
    status: disabled

- name: Remove the user and its service accounts
  onprem.mlflow.minio_user:
    access_key: team-a
    state: absent
"""

RETURN = r"""
user:
  description:
    - The user after the run (before it, for O(state=absent)); empty when it does not exist. Never the secret.
  returned: always
  type: dict
  contains:
    access_key:
      description: The user's access key.
      type: str
      sample: team-a
    status:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    policies:
      description: Attached policies, sorted.
      type: list
      elements: str
      sample: [mlflow-team-a]
secret_changed:
  description: Whether the user's secret was set (created or changed) by this run.
  returned: always
  type: bool
  sample: false
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.user import converge_users, user_options


def main():
    minio = MinioModule(user_options(random_secret=False))
    item, diff = minio.run_single(converge_users)
    minio.exit({"changed": item["changed"], "secret_changed": item["secret_changed"], "user": item["_user"]}, diff)


if __name__ == "__main__":
    main()
