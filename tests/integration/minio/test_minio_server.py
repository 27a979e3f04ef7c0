"""The MinIO server the harness built and started: what it is and what a single drive supports."""

import io
import json
import secrets
import socket
import urllib.request

import pytest
from minio.commonconfig import ENABLED
from minio.versioningconfig import VersioningConfig


def test_server_is_the_pinned_build_on_loopback(minio_server):
    assert minio_server.version.startswith("github.com/minio/minio@v0.0.0-")
    assert minio_server.host == "127.0.0.1"
    with urllib.request.urlopen(minio_server.endpoint + "/minio/health/live", timeout=5) as resp:  # noqa: S310
        assert resp.status == 200
    # The console has its own loopback port, never the default :9001 on every interface.
    assert minio_server.console_port != 9001
    with socket.create_connection((minio_server.host, minio_server.console_port), timeout=5):
        pass


def test_single_drive_server_supports_what_the_modules_use(minio_server, unique):
    """Versioning, quotas, policies, users and service accounts all work on one drive (xl-single)."""
    assert minio_server.drives == 1
    s3, admin = minio_server.minio(), minio_server.admin()
    bucket = unique("features")
    s3.make_bucket(bucket)
    s3.set_bucket_versioning(bucket, VersioningConfig(ENABLED))
    assert s3.get_bucket_versioning(bucket).status == ENABLED
    s3.put_object(bucket, "k", io.BytesIO(b"one"), 3)
    s3.put_object(bucket, "k", io.BytesIO(b"two"), 3)
    versions = [o for o in s3.list_objects(bucket, include_version=True) if o.object_name == "k"]
    assert len(versions) == 2
    admin.bucket_quota_set(bucket, 1024 ** 2)
    assert json.loads(admin.bucket_quota_get(bucket))["quota"] == 1024 ** 2
    user = unique("feat")
    admin.user_add(user, secrets.token_urlsafe(12))
    secret = secrets.token_urlsafe(12)
    created = json.loads(admin.add_service_account(access_key=unique("fsa"), secret_key=secret))
    assert created["credentials"]["secretKey"] == secret
    admin.user_remove(user)


def test_binary_override_is_honoured(monkeypatch, minio_server, tmp_path):
    from harness.minio_server import BINARY_ENV, minio_binary

    monkeypatch.setenv(BINARY_ENV, str(minio_server.binary))
    assert minio_binary() == minio_server.binary
    monkeypatch.setenv(BINARY_ENV, str(tmp_path / "no-such-minio"))
    with pytest.raises(FileNotFoundError, match=BINARY_ENV):
        minio_binary()


def test_several_drives_start_as_one_erasure_set(tmp_path):
    """The harness can start `dir{1...4}` too, should a feature ever need erasure coding."""
    from harness.minio_server import start_minio

    info, server = start_minio(tmp_path, drives=4)
    try:
        assert info.drives == 4
        assert sorted(p.name for p in tmp_path.glob("data*")) == ["data1", "data2", "data3", "data4"]
        bucket = "erasure-check"
        info.minio().make_bucket(bucket)
        info.minio().put_object(bucket, "k", io.BytesIO(b"abc"), 3)
        assert info.minio().get_object(bucket, "k").read() == b"abc"
    finally:
        server.stop()
