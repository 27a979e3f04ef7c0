"""onprem.mlflow.minio_bucket against the real MinIO server: lifecycle, check mode, diff, purge."""

import io

LIFECYCLE = """
- name: Create in check mode
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: enabled, quota: 10MiB}
  check_mode: true
  register: check_create
- name: Check mode created nothing
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent}
  check_mode: true
  register: check_absent
- name: Create with versioning and a quota
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: enabled, quota: 10MiB}
  diff: true
  register: create
- name: Same again, the quota in bytes
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: enabled, quota: 10485760}
  register: again
- name: Leaving versioning and quota out keeps them
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}"}
  register: bare
- name: Suspend versioning
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: suspended}
  diff: true
  register: suspend
- name: Suspended again
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: suspended}
  register: suspend_again
- name: Change the quota in check mode
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: 1GB}
  check_mode: true
  register: check_quota
- name: Check mode left the quota alone
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: 10MiB}
  register: quota_kept
- name: Remove the quota
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: none}
  register: no_quota
- name: No quota again
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: none}
  register: no_quota_again
- name: A never-versioned bucket
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}-plain", versioning: suspended}
  register: plain
- name: Suspending it again changes nothing
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}-plain", versioning: suspended}
  register: plain_again
- name: A quota that is not a size
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: lots}
  register: bad_quota
  ignore_errors: true
- name: A name MinIO would refuse
  onprem.mlflow.minio_bucket: {name: "Not_A_Bucket"}
  register: bad_name
  ignore_errors: true
- name: Every step did what it should
  ansible.builtin.assert:
    that:
      - check_create is changed
      - check_absent is not changed
      - create is changed
      - 'create.bucket == {"name": bucket, "versioning": "enabled", "quota": 10485760}'
      - create.diff.before == {}
      - create.diff.after.quota == "10MiB"
      - again is not changed
      - bare is not changed
      - bare.bucket.versioning == "enabled"
      - bare.bucket.quota == 10485760
      - suspend is changed
      - suspend.diff.before.versioning == "enabled"
      - suspend.diff.after.versioning == "suspended"
      - suspend_again is not changed
      - check_quota is changed
      - check_quota.bucket.quota == 1000000000
      - quota_kept is not changed
      - no_quota is changed
      - no_quota.bucket.quota == 0
      - no_quota_again is not changed
      - plain is changed
      - plain.bucket.versioning == "off"
      - plain_again is not changed
      - bad_quota is failed
      - "'quota' in bad_quota.msg and '50GiB' in bad_quota.msg"
      - bad_name is failed
      - "'lowercase' in bad_name.msg"
"""


def test_bucket_lifecycle(minio_play, minio_server, unique):
    bucket = unique("bkt")
    result = minio_play(LIFECYCLE, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    assert result.failed == 0
    s3, admin = minio_server.minio(), minio_server.admin()
    assert s3.bucket_exists(bucket)
    assert s3.get_bucket_versioning(bucket).status == "Suspended"
    assert '"quota":0' in admin.bucket_quota_get(bucket)
    assert s3.get_bucket_versioning(bucket + "-plain").status is None


def test_bucket_quota_is_enforced_by_the_server(minio_play, minio_server, unique):
    bucket = unique("quota")
    result = minio_play("""
        - onprem.mlflow.minio_bucket: {name: "{{ bucket }}", quota: 1KiB}
        """, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    s3 = minio_server.minio()
    s3.put_object(bucket, "small", io.BytesIO(b"x" * 1000), 1000)
    try:
        s3.put_object(bucket, "too-much", io.BytesIO(b"x" * 2000), 2000)
    except Exception as exc:
        assert getattr(exc, "code", "") == "XMinioAdminBucketQuotaExceeded"
    else:
        raise AssertionError("the 1 KiB quota set by the module did not stop a 2000-byte write")


def test_removing_a_bucket_with_objects_needs_purge(minio_play, minio_server, unique):
    bucket = unique("purge")
    s3 = minio_server.minio()
    result = minio_play("""
        - onprem.mlflow.minio_bucket: {name: "{{ bucket }}", versioning: enabled}
        """, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    for body in (b"v1", b"v2", b"v3"):
        s3.put_object(bucket, "model.pkl", io.BytesIO(body), len(body))
    s3.put_object(bucket, "dir/other", io.BytesIO(b"o"), 1)
    s3.remove_object(bucket, "dir/other")  # leaves a delete marker and a version

    result = minio_play("""
        - name: Without purge
          onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent}
          register: r
          ignore_errors: true
        - ansible.builtin.assert: {that: [r is failed, "'not empty' in r.msg", "'purge' in r.msg"]}
        - name: With purge, in check mode
          onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent, purge: true}
          check_mode: true
          register: r
        - ansible.builtin.assert: {that: [r is changed]}
        """, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    assert s3.bucket_exists(bucket)
    assert len(list(s3.list_objects(bucket, recursive=True, include_version=True))) == 5

    result = minio_play("""
        - name: With purge
          onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent, purge: true}
          diff: true
          register: r
        - ansible.builtin.assert:
            that:
              - r is changed
              - r.deleted_objects == 5
              - r.diff.after == {}
              - r.diff.before.name == bucket
        - name: Gone already
          onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent}
          register: r
        - ansible.builtin.assert: {that: [r is not changed]}
        """, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    assert not s3.bucket_exists(bucket)


def test_empty_bucket_is_removed_without_purge(minio_play, minio_server, unique):
    bucket = unique("empty")
    result = minio_play("""
        - onprem.mlflow.minio_bucket: {name: "{{ bucket }}"}
        - onprem.mlflow.minio_bucket: {name: "{{ bucket }}", state: absent}
          register: r
        - ansible.builtin.assert: {that: [r is changed]}
        """, extra_vars={"bucket": bucket})
    assert result.rc == 0, result.output
    assert not minio_server.minio().bucket_exists(bucket)
