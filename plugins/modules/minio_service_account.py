#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_service_account
short_description: Manage a MinIO service account (access key) of a user
description:
  - Create, update or remove a service account, an access key and secret that act for a parent user.
  - The account is created for O(user) by the login account (MinIO's C(targetUser)), so an admin manages
    every team's accounts without knowing the teams' own secrets.
  - A service account can do at most what its parent user can; an inline O(policy) narrows that further.
    Put the least-privilege policy on the parent user too (M(onprem.mlflow.minio_user)), because MinIO has had
    checks that looked at the parent's policy alone.
  - Every field MinIO reports (parent, status, inline policy, name, description, expiration) is compared,
    and an update always resends the inline policy, because MinIO drops it otherwise.
  - The one-account form of M(onprem.mlflow.minio_service_accounts), through the same code; every option is also
    an option of each item there.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  access_key:
    description:
      - Access key of the service account, 3-20 characters.
    type: str
    required: true
  secret_key:
    description:
      - Secret key of the service account, 8-40 characters. Never logged.
      - Not set on creation, the module generates a 40-character secret and returns it in RV(secret_key),
        in that run only; MinIO never returns an existing secret. Use C(no_log) on such a task.
    type: str
  user:
    description:
      - The parent user the account acts for. Not set means the login account itself.
      - An existing account cannot move to another parent; the module fails instead.
    type: str
  policy:
    description:
      - Inline policy of the account (a dict or a JSON string), at most 4 KiB. It can only narrow the parent's rights.
      - Not set means no inline policy, so the account has exactly its parent's rights.
    type: raw
  name:
    description:
      - Display name, at most 32 characters. Not set leaves it as it is (MinIO cannot clear it).
    type: str
  description:
    description:
      - Description, at most 256 characters. Not set leaves it as it is (MinIO cannot clear it).
    type: str
  expiration:
    description:
      - When the account stops working, as an RFC 3339 time such as V(2027-06-30T00:00:00Z),
        15 minutes to 365 days ahead. Not set leaves it as it is.
    type: str
  status:
    description:
      - Whether the account can be used.
    type: str
    choices: [enabled, disabled]
    default: enabled
  update_password:
    description:
      - V(always) makes the account's secret O(secret_key). The module first checks with one signed request
        whether MinIO already accepts it, and changes nothing when it does.
      - V(on_create) sets O(secret_key) only when the account is created.
      - The secret of an account that is and stays disabled cannot be checked (MinIO refuses a disabled key
        before it checks a signature); it is left as it is, with a warning.
    type: str
    choices: [always, on_create]
    default: always
  state:
    description:
      - V(present) creates or updates the account; V(absent) removes it.
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
- name: The team's jobs' S3 credentials, for the team's user and limited to its bucket
  onprem.mlflow.minio_service_account:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    access_key: team-a-jobs
    secret_key: "{{ team_a_jobs_secret }}"
    user: team-a
    policy: "{{ 'mlflow-team-a' | onprem.mlflow.minio_bucket_policy }}"
    name: team-a jobs
    description: MLflow artifact access of team a

- name: Let MinIO's module generate the secret, and keep it out of the logs
  onprem.mlflow.minio_service_account:
    access_key: team-b-jobs
    user: team-b
  register: team_b_key
  no_log: true

- name: Revoke it
  onprem.mlflow.minio_service_account:
    access_key: team-a-jobs
    state: absent
"""

RETURN = r"""
service_account:
  description:
    - The account after the run (before it, for O(state=absent)); empty when it does not exist. Never the secret.
  returned: always
  type: dict
  contains:
    access_key:
      description: Access key.
      type: str
      sample: team-a-jobs
    user:
      description: Parent user.
      type: str
      sample: team-a
    status:
      description: V(enabled) or V(disabled).
      type: str
      sample: enabled
    policy:
      description: Inline policy, null when the account has its parent's rights.
      type: dict
    name:
      description: Display name.
      type: str
    description:
      description: Description.
      type: str
    expiration:
      description: Expiry time (RFC 3339), null for none.
      type: str
secret_key:
  description:
    - The secret the module generated. Only returned when it created the account without a given O(secret_key);
      MinIO never tells an existing secret.
  returned: when generated
  type: str
secret_changed:
  description: Whether the account's secret was set (created or changed) by this run.
  returned: always
  type: bool
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.service_account import (
    SERVICE_ACCOUNT_OPTIONS,
    converge_service_accounts,
)


def main():
    minio = MinioModule(SERVICE_ACCOUNT_OPTIONS)
    item, diff = minio.run_single(converge_service_accounts)
    result = {"changed": item["changed"], "secret_changed": item["secret_changed"], "service_account": item["_account"]}
    if "secret_key" in item:
        result["secret_key"] = item["secret_key"]
    minio.exit(result, diff)


if __name__ == "__main__":
    main()
