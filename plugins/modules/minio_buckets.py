#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_buckets
short_description: Manage many MinIO buckets and their quotas in one task
description:
  - The list form of M(onprem.mlflow.minio_bucket), for platforms with hundreds of buckets.
  - "Cost of a run: one bucket listing for all buckets, one quota read per existing bucket that has O(buckets[].quota)
    (MinIO cannot list quotas), and one request per change. The per-bucket requests run on O(workers) threads."
  - Every entry is checked before anything changes (names, quota sizes, duplicates, and that a bucket to delete
    without O(buckets[].purge) is empty); a bad entry fails the task with nothing changed.
  - Buckets not listed are left alone. Versioning is managed by M(onprem.mlflow.minio_bucket) only.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  buckets:
    description:
      - The buckets and their wanted state.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Bucket name (3-63 lowercase letters, digits, dots and hyphens).
        type: str
        required: true
      quota:
        description:
          - Hard quota, as bytes or a size such as V(50GiB), V(50Gi), V(500MB) or V(500M); V(0) or V(none) clears it.
          - Not set leaves the quota as it is.
        type: raw
      state:
        description: V(present) creates the bucket; V(absent) deletes it.
        type: str
        choices: [present, absent]
        default: present
      purge:
        description:
          - With O(buckets[].state=absent), delete every object (all versions) with the bucket.
          - Without it a bucket that holds objects is not deleted and the task fails before any change.
        type: bool
        default: false
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
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: Every team's bucket
  onprem.mlflow.minio_buckets:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    buckets:
      - name: mlflow-team-a
        quota: 50GiB
      - name: mlflow-team-b
      - name: mlflow-old-team
        state: absent
        purge: true
"""

RETURN = r"""
buckets:
  description: One entry per listed bucket, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: mlflow-team-a
    state:
      description: The wanted state.
      type: str
      sample: present
    changed:
      description: Whether this bucket changed.
      type: bool
    actions:
      description: What was done.
      type: list
      elements: str
      sample: [created, quota set to 50GiB]
    bucket:
      description: The bucket after the run (name, quota), empty when absent.
      type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import (
    BUCKET_OPTIONS,
    converge_buckets,
    list_module_spec,
    run_list_module,
)


def main():
    module = AnsibleModule(argument_spec=list_module_spec("buckets", BUCKET_OPTIONS), supports_check_mode=True)
    module.exit_json(**run_list_module(module, "buckets", converge_buckets))


if __name__ == "__main__":
    main()
