#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_service_accounts
short_description: Manage many MinIO service accounts (access keys) in one task
description:
  - A list form of M(onprem.mlflow.minio_service_account) for accounts that carry exactly their parent user's rights
    (no inline policy), such as each MLflow tenant's access key.
  - "Cost of a run: one request that lists every service account (C(list-access-keys-bulk); on older servers one
    listing per parent user), one signed request per account with O(service_accounts[].secret_key) to tell whether
    MinIO still accepts that secret (MinIO never returns a secret), and one request per change. The per-account
    requests run on O(workers) threads."
  - An account whose secret is not the wanted one gets it set (and is enabled). An account is created for its parent
    user by the login account (MinIO's C(targetUser)).
  - Every entry is checked before anything changes; a bad entry fails the task with nothing changed.
  - Accounts not listed are left alone. Name and description are set when an account is created, and not compared
    afterwards (the listing does not carry them).
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
        description: The parent user the account acts for. Required with O(service_accounts[].state=present).
        type: str
      name:
        description: Display name at creation, at most 32 characters.
        type: str
      description:
        description: Description at creation, at most 256 characters.
        type: str
      state:
        description: V(present) creates the account or sets its secret; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
  workers:
    description: Largest number of requests in flight at once.
    type: int
    default: 8
extends_documentation_fragment:
  - onprem.mlflow.minio
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff says that a secret changes, never what it is.
  platform:
    platforms: posix
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
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    SERVICE_ACCOUNT_OPTIONS,
    converge_service_accounts,
    list_module_spec,
    run_list_module,
)


def main():
    module = AnsibleModule(argument_spec=list_module_spec("service_accounts", SERVICE_ACCOUNT_OPTIONS),
                           supports_check_mode=True)
    module.exit_json(**run_list_module(module, "service_accounts", converge_service_accounts))


if __name__ == "__main__":
    main()
