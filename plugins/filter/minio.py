# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters for MinIO: minio_bucket_policy (documented in minio_bucket_policy.yml)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.onprem.mlflow.plugins.module_utils.minio.names import bucket_name_problem

# What a tenant's tools (MLflow's S3 artifact store, boto3, minio-py, multipart uploads) need
# in their own bucket, and no more: no bucket creation or deletion, no bucket policy or
# configuration changes, nothing on any other bucket.
BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
]


def minio_bucket_policy(bucket, read_only=False, list_all_buckets=False):
    """The IAM policy that allows `bucket` and nothing else."""
    problem = bucket_name_problem(bucket)
    if problem:
        raise AnsibleFilterError("minio_bucket_policy: %s" % problem)
    object_actions = ["s3:GetObject"] if read_only else list(OBJECT_ACTIONS)
    bucket_actions = ["s3:GetBucketLocation", "s3:ListBucket"] if read_only else list(BUCKET_ACTIONS)
    statements = [
        {"Sid": "Bucket", "Effect": "Allow", "Action": bucket_actions,
         "Resource": ["arn:aws:s3:::%s" % bucket]},
        {"Sid": "Objects", "Effect": "Allow", "Action": object_actions,
         "Resource": ["arn:aws:s3:::%s/*" % bucket]},
    ]
    if list_all_buckets:
        statements.append({"Sid": "ListBuckets", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets"],
                           "Resource": ["arn:aws:s3:::*"]})
    return {"Version": "2012-10-17", "Statement": statements}


class FilterModule:
    def filters(self):
        return {"minio_bucket_policy": minio_bucket_policy}
