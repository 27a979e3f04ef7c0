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
    and one versioning read per existing bucket that has O(buckets[].versioning) (MinIO cannot list them), and one
    request per change. The per-bucket requests run on O(workers) threads."
  - Every entry is checked before anything changes (names, quota sizes, duplicates, and that a bucket to delete
    without O(buckets[].purge) is empty); a bad entry fails the task with nothing changed.
  - Buckets not listed are left alone. M(onprem.mlflow.minio_bucket) is the one-bucket form, through the same code.
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
      versioning:
        description:
          - V(enabled) keeps every version of every object; V(suspended) stops keeping new versions.
          - A bucket that never had versioning counts as V(suspended).
          - Not set leaves the bucket's versioning as it is.
        type: str
        choices: [enabled, suspended]
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
- name: Every team's bucket
  onprem.mlflow.minio_buckets:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    buckets:
      - name: mlflow-team-a
        quota: 50GiB
        versioning: enabled
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
      sample: [created, versioning enabled, quota set to 50GiB]
    bucket:
      description:
        - The bucket after the run, empty when absent; C(quota) (a size, or V(none)) and C(versioning) when the
          item manages them or the bucket was created.
      type: dict
    deleted_objects:
      description: Number of object versions deleted by O(buckets[].purge).
      type: int
      returned: when O(buckets[].state=absent) and O(buckets[].purge=true) deleted the bucket
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bucket import BUCKET_OPTIONS, converge_buckets
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule


def main():
    MinioModule(BUCKET_OPTIONS, "buckets").run_list(converge_buckets)


if __name__ == "__main__":
    main()
