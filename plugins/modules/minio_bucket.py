#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: minio_bucket
short_description: Manage a MinIO bucket, its versioning and its quota
description:
  - Create or remove a bucket on a MinIO server, and set its versioning and hard quota.
  - A bucket that still holds objects is only removed when O(purge=true).
  - The one-bucket form of M(onprem.mlflow.minio_buckets), through the same code; every option is also an option
    of each item there.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  name:
    description:
      - Name of the bucket (3-63 lowercase letters, digits, dots and hyphens).
    type: str
    required: true
  state:
    description:
      - V(present) creates the bucket; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  versioning:
    description:
      - V(enabled) keeps every version of every object; V(suspended) stops keeping new versions.
      - A bucket that never had versioning counts as V(suspended).
      - Not set leaves the bucket's versioning as it is.
    type: str
    choices: [enabled, suspended]
  quota:
    description:
      - Hard quota of the bucket, as a size such as V(50GiB) (1024-based), V(500GB) (1000-based),
        the Kubernetes spellings V(50Gi) and V(500G), or a number of bytes.
      - V(none) (or V(0)) removes the quota.
      - Not set leaves the bucket's quota as it is.
    type: raw
  purge:
    description:
      - With O(state=absent), delete every object and object version in the bucket before removing it.
      - Without it, removing a bucket that holds objects fails and deletes nothing.
    type: bool
    default: false
extends_documentation_fragment:
  - onprem.mlflow.minio
  - onprem.mlflow.attributes
  - onprem.mlflow.attributes.minio_group
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
"""

EXAMPLES = r"""
- name: The connection once for every MinIO module of a block (the action group onprem.mlflow.minio)
  module_defaults:
    group/onprem.mlflow.minio:
      endpoint_url: https://minio.example.com:9000
      login_access_key: "{{ minio_root_user }}"
      login_secret_key: "{{ minio_root_password }}"
  block:
    - name: The team's bucket
      onprem.mlflow.minio_bucket:
        name: mlflow-team-a
    - name: And the policy that allows that bucket only
      onprem.mlflow.minio_policy:
        name: mlflow-team-a
        policy: "{{ 'mlflow-team-a' | onprem.mlflow.minio_bucket_policy }}"

- name: Create the team's artifact bucket with versioning and a 50 GiB quota
  onprem.mlflow.minio_bucket:
    endpoint_url: https://minio.example.com:9000
    login_access_key: "{{ minio_root_user }}"
    login_secret_key: "{{ minio_root_password }}"
    name: mlflow-team-a
    versioning: enabled
    quota: 50GiB

- name: Remove the quota
  onprem.mlflow.minio_bucket:
    name: mlflow-team-a
    quota: none

- name: Retire a team and delete its artifacts
  onprem.mlflow.minio_bucket:
    name: mlflow-team-a
    state: absent
    purge: true
"""

RETURN = r"""
bucket:
  description: The bucket after the run (before it, for O(state=absent)); empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: mlflow-team-a
    versioning:
      description: V(enabled), V(suspended), or V(off) for a bucket that never had versioning.
      type: str
      sample: enabled
    quota:
      description: Hard quota in bytes, 0 for none.
      type: int
      sample: 53687091200
deleted_objects:
  description: Number of object versions deleted by O(purge).
  returned: when O(state=absent) and O(purge=true)
  type: int
  sample: 12
"""

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bucket import BUCKET_OPTIONS, converge_buckets
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.module import MinioModule


def main():
    minio = MinioModule(BUCKET_OPTIONS)
    item, diff = minio.run_single(converge_buckets, read_all=True)
    result = {"changed": item["changed"], "bucket": item["_bucket"]}
    if "deleted_objects" in item:
        result["deleted_objects"] = item["deleted_objects"]
    minio.exit(result, diff)


if __name__ == "__main__":
    main()
