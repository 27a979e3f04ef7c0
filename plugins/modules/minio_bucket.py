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

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.buckets import (
    create_bucket,
    has_objects,
    purge_bucket,
    remove_bucket,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import (
    MinioModuleError,
    error_code,
    translated,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.size import format_size, parse_size

try:
    from minio.versioningconfig import ENABLED, SUSPENDED, VersioningConfig
except ImportError:  # reported by MinioConnection with missing_required_lib()
    ENABLED = SUSPENDED = VersioningConfig = None


def read_bucket(conn, admin, name):
    # A GET, not bucket_exists(): a HEAD answer has no body, so a wrong secret would look like
    # AccessDenied instead of SignatureDoesNotMatch.
    with translated("read bucket %s" % name, conn.endpoint):
        try:
            versioning = conn.s3.get_bucket_versioning(name).status_string.lower()
        except Exception as exc:
            if error_code(exc)[1] == "NoSuchBucket":
                return None
            raise
    return {"name": name, "versioning": versioning, "quota": admin.quota_get(name)}


def versioning_matches(current, wanted):
    # "off" (never enabled) and "suspended" both mean no new versions are kept.
    return wanted is None or current == wanted or (wanted == "suspended" and current == "off")


def present(module, conn, admin, current):
    name = module.params["name"]
    wanted_versioning = module.params["versioning"]
    wanted_quota = None
    if module.params["quota"] is not None:
        try:
            wanted_quota = parse_size(module.params["quota"])
        except ValueError as exc:
            raise MinioModuleError("quota: %s" % exc) from None

    after = dict(current) if current else {"name": name, "versioning": "off", "quota": 0}
    create = current is None
    set_versioning = not versioning_matches(after["versioning"], wanted_versioning)
    set_quota = wanted_quota is not None and wanted_quota != after["quota"]
    if set_versioning:
        after["versioning"] = wanted_versioning
    if set_quota:
        after["quota"] = wanted_quota
    changed = create or set_versioning or set_quota

    if changed and not module.check_mode:
        if create:
            create_bucket(conn, name)
        if set_versioning:
            with translated("set the versioning of bucket %s" % name, conn.endpoint):
                status = ENABLED if wanted_versioning == "enabled" else SUSPENDED
                conn.s3.set_bucket_versioning(name, VersioningConfig(status))
        if set_quota:
            admin.quota_set(name, after["quota"])
    return changed, after


def main():
    argument_spec = minio_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        versioning=dict(type="str", choices=["enabled", "suspended"]),
        quota=dict(type="raw"),
        purge=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    name = module.params["name"]
    problem = bucket_name_problem(name)
    if problem:
        module.fail_json(msg=problem)

    result = {"changed": False}
    try:
        conn = MinioConnection(module)
        admin = MinioAdminApi(conn)
        current = read_bucket(conn, admin, name)
        if module.params["state"] == "present":
            changed, after = present(module, conn, admin, current)
        else:
            after = {}
            changed = current is not None
            if changed:
                if module.params["purge"]:
                    if not module.check_mode:
                        result["deleted_objects"] = purge_bucket(conn, name)
                elif has_objects(conn, name):
                    raise MinioModuleError(
                        "bucket %s is not empty; nothing was deleted. Set purge: true to delete the bucket "
                        "with all its objects" % name)
                if not module.check_mode:
                    remove_bucket(conn, name)
    except MinioModuleError as exc:
        module.fail_json(msg=str(exc), **result)

    result["changed"] = changed
    result["bucket"] = after if module.params["state"] == "present" else (current or {})
    if module._diff:
        result["diff"] = {"before": _diff_view(current), "after": _diff_view(after)}
    module.exit_json(**result)


def _diff_view(bucket):
    if not bucket:
        return {}
    return dict(bucket, quota=format_size(bucket["quota"]) or "none")


if __name__ == "__main__":
    main()
