"""The least-privilege bucket policy filter (plugins/filter/minio.py)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.onprem.mlflow.plugins.filter.minio import FilterModule, minio_bucket_policy


def actions_on(policy, resource):
    return {a for s in policy["Statement"] if resource in s["Resource"] for a in s["Action"]}


def test_policy_allows_one_bucket_and_nothing_else():
    policy = minio_bucket_policy("team-a")
    assert policy["Version"] == "2012-10-17"
    assert {r for s in policy["Statement"] for r in s["Resource"]} == {"arn:aws:s3:::team-a", "arn:aws:s3:::team-a/*"}
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])
    assert actions_on(policy, "arn:aws:s3:::team-a") == {
        "s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}
    assert actions_on(policy, "arn:aws:s3:::team-a/*") == {
        "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}
    assert not any("*" in a for s in policy["Statement"] for a in s["Action"])


def test_read_only_and_list_all_buckets_variants():
    policy = minio_bucket_policy("team-a", read_only=True, list_all_buckets=True)
    assert actions_on(policy, "arn:aws:s3:::team-a/*") == {"s3:GetObject"}
    assert actions_on(policy, "arn:aws:s3:::*") == {"s3:ListAllMyBuckets"}


def test_bad_bucket_name_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="bucket name"):
        minio_bucket_policy("Not_A_Bucket")


def test_filter_is_registered_under_its_documented_name():
    assert FilterModule().filters()["minio_bucket_policy"] is minio_bucket_policy
