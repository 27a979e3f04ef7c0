"""A tenant's service account, made by the modules, reaches its own bucket and nothing else.

Checked with the real clients MLflow and the teams use: boto3 and minio-py.
"""

import io
import json
import secrets

import pytest
from botocore.exceptions import ClientError
from minio.error import MinioAdminException, S3Error

TENANT = """
- onprem.mlflow.minio_bucket: {name: "{{ item }}"}
  loop: ["{{ bucket }}", "{{ other_bucket }}"]
- onprem.mlflow.minio_policy: {name: "{{ bucket }}", policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"}
- name: The parent user carries the least-privilege policy itself
  onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: "{{ user_secret }}", policies: ["{{ bucket }}"]}
- name: The service account, made by root for the tenant's user, narrowed to the same bucket
  onprem.mlflow.minio_service_account:
    access_key: "{{ sa }}"
    secret_key: "{{ sa_secret }}"
    user: "{{ user }}"
    policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"
"""


@pytest.fixture(scope="module")
def tenant(minio_play, minio_server):
    token = secrets.token_hex(3)
    names = {"bucket": "scoped-" + token, "other_bucket": "other-" + token, "user": "tenant-" + token,
             "sa": "tenant-sa-" + token, "user_secret": secrets.token_urlsafe(20),
             "sa_secret": secrets.token_urlsafe(20)}
    result = minio_play(TENANT, extra_vars=names)
    assert result.rc == 0, result.output
    minio_server.minio().put_object(names["other_bucket"], "secret.txt", io.BytesIO(b"other team"), 10)
    return names


def denied_boto(call, *args, **kwargs):
    with pytest.raises(ClientError) as exc:
        call(*args, **kwargs)
    return exc.value.response["Error"]["Code"]


def denied_minio(call, *args, **kwargs):
    with pytest.raises(S3Error) as exc:
        call(*args, **kwargs)
    return exc.value.code


def test_boto3_works_in_its_own_bucket(minio_server, tenant):
    s3 = minio_server.boto3(tenant["sa"], tenant["sa_secret"])
    bucket = tenant["bucket"]
    s3.put_object(Bucket=bucket, Key="runs/1/model.txt", Body=b"weights")
    assert s3.get_object(Bucket=bucket, Key="runs/1/model.txt")["Body"].read() == b"weights"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="runs/")
    assert [o["Key"] for o in listed["Contents"]] == ["runs/1/model.txt"]
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] in (None, "us-east-1")
    # A multipart upload, as MLflow's large artifact uploads do: two parts, completed.
    part = b"x" * (5 * 1024 * 1024)
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big.bin")
    etags = [s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], PartNumber=n,
                            Body=part if n == 1 else b"tail")["ETag"] for n in (1, 2)]
    parts = s3.list_parts(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"])["Parts"]
    assert [p["PartNumber"] for p in parts] == [1, 2]
    s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload["UploadId"], MultipartUpload={
        "Parts": [{"ETag": etag, "PartNumber": n} for n, etag in enumerate(etags, 1)]})
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ContentLength"] == len(part) + 4
    aborted = s3.create_multipart_upload(Bucket=bucket, Key="aborted.bin")
    s3.abort_multipart_upload(Bucket=bucket, Key="aborted.bin", UploadId=aborted["UploadId"])
    s3.delete_object(Bucket=bucket, Key="runs/1/model.txt")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="runs/")


def test_boto3_is_denied_everything_else(minio_server, tenant):
    s3 = minio_server.boto3(tenant["sa"], tenant["sa_secret"])
    other = tenant["other_bucket"]
    assert denied_boto(s3.get_object, Bucket=other, Key="secret.txt") == "AccessDenied"
    assert denied_boto(s3.put_object, Bucket=other, Key="x", Body=b"x") == "AccessDenied"
    assert denied_boto(s3.list_objects_v2, Bucket=other) == "AccessDenied"
    assert denied_boto(s3.create_bucket, Bucket="new-" + tenant["bucket"]) == "AccessDenied"
    assert denied_boto(s3.delete_bucket, Bucket=tenant["bucket"]) == "AccessDenied"
    public = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                      "Resource": "arn:aws:s3:::%s/*" % tenant["bucket"]}]}
    assert denied_boto(s3.put_bucket_policy, Bucket=tenant["bucket"], Policy=json.dumps(public)) == "AccessDenied"
    assert denied_boto(s3.put_bucket_versioning, Bucket=tenant["bucket"],
                       VersioningConfiguration={"Status": "Enabled"}) == "AccessDenied"
    # No bucket beyond its own is visible (ListAllMyBuckets is not granted).
    try:
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "AccessDenied"
    else:
        assert other not in names


def test_minio_py_works_in_its_own_bucket_and_nowhere_else(minio_server, tenant):
    client = minio_server.minio(tenant["sa"], tenant["sa_secret"])
    bucket, other = tenant["bucket"], tenant["other_bucket"]
    client.put_object(bucket, "py/a.txt", io.BytesIO(b"hello"), 5)
    assert client.get_object(bucket, "py/a.txt").read() == b"hello"
    assert [o.object_name for o in client.list_objects(bucket, prefix="py/")] == ["py/a.txt"]
    # minio-py switches to multipart above part_size: 6 MiB in 5 MiB parts.
    data = b"y" * (6 * 1024 * 1024)
    client.put_object(bucket, "py/multi.bin", io.BytesIO(data), len(data), part_size=5 * 1024 * 1024)
    assert client.stat_object(bucket, "py/multi.bin").size == len(data)
    client.remove_object(bucket, "py/a.txt")
    assert denied_minio(client.get_object, other, "secret.txt") == "AccessDenied"
    assert denied_minio(lambda: list(client.list_objects(other))) == "AccessDenied"
    assert denied_minio(client.put_object, other, "x", io.BytesIO(b"x"), 1) == "AccessDenied"
    assert denied_minio(client.make_bucket, "py-new-" + bucket) == "AccessDenied"
    assert denied_minio(client.set_bucket_policy, bucket, json.dumps({"Version": "2012-10-17", "Statement": []})) \
        == "AccessDenied"


def test_admin_calls_are_denied(minio_server, tenant):
    admin = minio_server.admin(tenant["sa"], tenant["sa_secret"])
    for call in (admin.user_list, admin.policy_list, lambda: admin.user_add("evil-" + tenant["user"], "evil-secret-1"),
                 lambda: admin.attach_policy(["readwrite"], user=tenant["user"])):
        with pytest.raises(MinioAdminException) as exc:
            call()
        assert exc.value._code == "403"


def test_parent_user_is_limited_to_the_bucket_too(minio_server, tenant):
    """Least privilege sits on the parent user as well, not only on its service account."""
    s3 = minio_server.boto3(tenant["user"], tenant["user_secret"])
    assert denied_boto(s3.get_object, Bucket=tenant["other_bucket"], Key="secret.txt") == "AccessDenied"
    assert denied_boto(s3.create_bucket, Bucket="parent-" + tenant["bucket"]) == "AccessDenied"
    s3.put_object(Bucket=tenant["bucket"], Key="from-parent", Body=b"ok")


def test_disabled_then_deleted_service_account_is_refused(minio_play, minio_server, tenant, credentials_accepted):
    s3 = minio_server.boto3(tenant["sa"], tenant["sa_secret"])
    s3.put_object(Bucket=tenant["bucket"], Key="before", Body=b"ok")
    result = minio_play("""
        - onprem.mlflow.minio_service_account:
            {access_key: "{{ sa }}", status: disabled, policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"}
        """, extra_vars=tenant)
    assert result.rc == 0 and result.changed == 1, result.output
    assert denied_boto(s3.get_object, Bucket=tenant["bucket"], Key="before") == "InvalidAccessKeyId"
    assert not credentials_accepted(tenant["sa"], tenant["sa_secret"])
    result = minio_play("""
        - onprem.mlflow.minio_service_account: {access_key: "{{ sa }}", state: absent}
        """, extra_vars=tenant)
    assert result.rc == 0 and result.changed == 1, result.output
    assert denied_boto(s3.get_object, Bucket=tenant["bucket"], Key="before") == "InvalidAccessKeyId"
    client = minio_server.minio(tenant["sa"], tenant["sa_secret"])
    assert denied_minio(client.get_object, tenant["bucket"], "before") == "InvalidAccessKeyId"
