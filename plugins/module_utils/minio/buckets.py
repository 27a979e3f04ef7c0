# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The S3 bucket operations of the bucket converge (module_utils/minio/bucket.py).

Creating tolerates a bucket made in between by a concurrent run; removing refuses a bucket that
is not empty (its objects are deleted only by purge_bucket, which the modules call only with
purge: true).
"""

from __future__ import annotations

try:
    from minio.deleteobjects import DeleteObject
except ImportError:  # reported by MinioConnection with missing_required_lib()
    DeleteObject = None
try:
    from minio.versioningconfig import ENABLED, SUSPENDED, VersioningConfig
except ImportError:  # reported by MinioConnection with missing_required_lib()
    ENABLED = SUSPENDED = VersioningConfig = None

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import (
    MinioModuleError,
    error_code,
    translated,
)

DELETE_BATCH = 1000  # the most keys one S3 DeleteObjects request takes


def create_bucket(conn, name):
    with translated("create bucket %s" % name, conn.endpoint):
        try:
            conn.s3.make_bucket(name, location=conn.region)
        except Exception as exc:
            # Made by a concurrent or interrupted run in between: that is what we wanted.
            if error_code(exc)[1] != "BucketAlreadyOwnedByYou":
                raise


def has_objects(conn, name):
    """Whether the bucket holds any object version or delete marker."""
    with translated("list bucket %s" % name, conn.endpoint):
        objects = conn.s3.list_objects(name, recursive=True, include_version=True)
        return next(iter(objects), None) is not None


def purge_bucket(conn, name):
    """Delete every object version and delete marker of a bucket; the number deleted."""
    count = 0
    with translated("delete the objects of bucket %s" % name, conn.endpoint):
        batch = []
        for obj in conn.s3.list_objects(name, recursive=True, include_version=True):
            batch.append(DeleteObject(obj.object_name, obj.version_id))
            if len(batch) == DELETE_BATCH:
                count += _delete_batch(conn, name, batch)
                batch = []
        count += _delete_batch(conn, name, batch)
    return count


def _delete_batch(conn, name, batch):
    if not batch:
        return 0
    errors = list(conn.s3.remove_objects(name, batch))
    if errors:
        raise MinioModuleError("cannot delete %d object(s) of bucket %s, first: %s (%s)"
                               % (len(errors), name, errors[0].name, errors[0].code))
    return len(batch)


def remove_bucket(conn, name):
    """Remove an empty bucket (the callers checked it is empty, or purged it)."""
    with translated("remove bucket %s" % name, conn.endpoint):
        try:
            conn.s3.remove_bucket(name)
        except Exception as exc:
            if error_code(exc)[1] == "BucketNotEmpty":
                # Objects arrived after the check.
                raise MinioModuleError("bucket %s is not empty (objects were written while this task ran); "
                                       "set purge: true to delete them with the bucket" % name) from None
            raise


def get_versioning(conn, name):
    """'enabled', 'suspended', or 'off' for a bucket that never had versioning."""
    with translated("read the versioning of bucket %s" % name, conn.endpoint):
        return conn.s3.get_bucket_versioning(name).status_string.lower()


def set_versioning(conn, name, versioning):
    with translated("set the versioning of bucket %s" % name, conn.endpoint):
        conn.s3.set_bucket_versioning(name, VersioningConfig(ENABLED if versioning == "enabled" else SUSPENDED))
