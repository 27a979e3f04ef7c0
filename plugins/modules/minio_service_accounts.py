#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_service_accounts
short_description: Manage many MinIO service accounts (access keys) in one task
description:
  - The list form of M(onprem.mlflow.minio_service_account), through the same code, such as each MLflow tenant's
    access key.
  - "Cost of a run: one request that lists every service account (C(list-access-keys-bulk); on older servers one
    listing per parent user), one read per listed account that exists (status, inline policy, name, description and
    expiration, which the listing does not carry), one signed request per account with
    O(service_accounts[].secret_key) to tell whether MinIO still accepts that secret (MinIO never returns a secret),
    and one request per change. The per-account requests run on O(workers) threads."
  - An account is created for its parent user by the login account (MinIO's C(targetUser)). Every field MinIO reports
    is compared, and an update always resends the inline policy, because MinIO drops it otherwise.
  - Every entry is checked before anything changes (including that no account would move to another parent); a bad
    entry fails the task with nothing changed.
  - Accounts not listed are left alone.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  service_accounts:
    description:
      - The accounts and their wanted state.
    type: list
    elements: dict
    required: true
    suboptions:
      access_key:
        description: Access key of the account, 3-20 characters.
        type: str
        required: true
      secret_key:
        description:
          - Secret key, 8-40 characters. Never logged.
          - Not set on creation, a 40-character secret is generated and returned in RV(service_accounts[].secret_key)
            in that run only; use C(no_log) on such a task. Not set for an existing account leaves its secret alone.
        type: str
      user:
        description:
          - The parent user the account acts for. Not set means the login account itself (for a new account) or the
            account's parent (for an existing one).
          - An existing account cannot move to another parent; the module fails instead.
        type: str
      policy:
        description:
          - Inline policy of the account (a dict or a JSON string), at most 4 KiB. It can only narrow the parent's
            rights.
          - Not set means no inline policy, so the account has exactly its parent's rights.
        type: raw
      name:
        description: Display name, at most 32 characters. Not set leaves it as it is (MinIO cannot clear it).
        type: str
      description:
        description: Description, at most 256 characters. Not set leaves it as it is (MinIO cannot clear it).
        type: str
      expiration:
        description:
          - When the account stops working, as an RFC 3339 time such as V(2027-06-30T00:00:00Z), 15 minutes to
            365 days ahead. Not set leaves it as it is.
        type: str
      status:
        description: Whether the account can be used.
        type: str
        choices: [enabled, disabled]
        default: enabled
      update_password:
        description:
          - V(always) makes the account's secret O(service_accounts[].secret_key). One signed request first checks
            whether MinIO already accepts it, and nothing changes when it does.
          - V(on_create) sets O(service_accounts[].secret_key) only when the account is created.
          - The secret of an account that is and stays disabled cannot be checked (MinIO refuses a disabled key
            before it checks a signature); it is left as it is, with a warning.
        type: str
        choices: [always, on_create]
        default: always
      state:
        description: V(present) creates or updates the account; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
  workers:
    description: Largest number of requests in flight at once, 1 or more.
    type: int
    default: 8
extends_documentation_fragment:
  - onprem.mlflow.minio
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.minio_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: Each team's S3 access key, with secrets kept by the controller
  onprem.mlflow.minio_service_accounts:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    service_accounts:
      - access_key: MLFTEAMA000000000000
        secret_key: "{{ team_a_s3_secret }}"
        user: mlflow-team-a
        name: team-a
      - access_key: MLFOLDTEAM0000000000
        state: absent
  no_log: true
"""

RETURN = r"""
service_accounts:
  description: One entry per listed account, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    access_key:
      description: Access key.
      type: str
      sample: MLFTEAMA000000000000
    user:
      description: Parent user.
      type: str
      sample: mlflow-team-a
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this account changed.
      type: bool
    secret_changed:
      description: Whether its secret was set (created or changed) by this run.
      type: bool
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [created]
    secret_key:
      description: The generated secret, only when this run created the account without a given secret.
      type: str
      returned: when generated
    service_account:
      description:
        - The account after the run (access_key, user, status, policy, name, description, expiration), empty when
          absent. Never the secret.
      type: dict
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.service_account import (
    SERVICE_ACCOUNT_OPTIONS,
    converge_service_accounts,
)


def main():
    MinioModule(SERVICE_ACCOUNT_OPTIONS, "service_accounts").run_list(converge_service_accounts)


if __name__ == "__main__":
    main()
