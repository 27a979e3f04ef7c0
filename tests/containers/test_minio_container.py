"""The MinIO StatefulSet's container, run as a process from the rendered manifest (see
tests/harness/pod_process.py and the `platform_minio` fixture for what is substituted)."""

from __future__ import annotations

import base64

import pytest
from harness.pod_process import resolve_to_loopback


def _secret(rendered, name: str, key: str) -> str:
    return base64.b64decode(rendered.get("Secret", name).obj["data"][key]).decode()


@pytest.mark.parametrize("kind", ["startup", "readiness", "liveness"])
def test_minio_probes_answer(platform_minio, kind):
    proc, server = platform_minio
    result = proc.wait_probe(kind, server, timeout=60)
    assert result.ok, f"{proc.source}: {kind} probe: {result.detail}"
    print(f"{proc.source}: {kind} {result.detail}")


def test_minio_root_credentials_from_the_secret_work(rendered, platform_minio):
    from minio import Minio
    from minio.error import S3Error

    proc, _server = platform_minio
    user, password = _secret(rendered, "minio-root", "root-user"), _secret(rendered, "minio-root", "root-password")
    endpoint = f"127.0.0.1:{proc.local_port('s3')}"
    Minio(endpoint, access_key=user, secret_key=password, secure=False).list_buckets()
    with pytest.raises(S3Error) as err:
        Minio(endpoint, access_key=user, secret_key=password + "x", secure=False).list_buckets()
    assert err.value.code == "SignatureDoesNotMatch", f"{proc.source}: a wrong root password was not rejected"


def test_minio_bootstrap_job_creates_mlflow_bucket_and_user(rendered, platform_minio, bootstrapped_minio):
    """The bootstrap Job (real `mc`, real script from the ConfigMap) leaves the bucket MLflow uses
    and MLflow's own MinIO user, whose policy allows that bucket only."""
    from minio import Minio
    from minio.error import S3Error

    proc, _server = platform_minio
    port = proc.local_port("s3")
    bucket = next(e["value"] for e in bootstrapped_minio.container["env"] if e["name"] == "BUCKET")
    deployment = rendered.get("Deployment", "mlflow")
    artifact_root = next(a for a in deployment.obj["spec"]["template"]["spec"]["containers"][0]["args"]
                         if a.startswith("--default-artifact-root="))
    assert artifact_root.startswith(f"--default-artifact-root=s3://{bucket}/"), \
        f"{deployment.path} stores artifacts outside the bucket {bucket} that {bootstrapped_minio.source} creates"
    root = Minio(f"127.0.0.1:{port}", access_key=_secret(rendered, "minio-root", "root-user"),
                 secret_key=_secret(rendered, "minio-root", "root-password"), secure=False)
    assert root.bucket_exists(bucket), f"{bootstrapped_minio.source} did not create bucket {bucket}"
    # MLflow's credentials (the minio-mlflow Secret the Deployment reads) can write there, and nowhere else.
    key, secret = (_secret(rendered, "minio-mlflow", "AWS_ACCESS_KEY_ID"),
                   _secret(rendered, "minio-mlflow", "AWS_SECRET_ACCESS_KEY"))
    with resolve_to_loopback({"minio.mlflow-platform.svc": ("127.0.0.1", port)}):
        mlflow_user = Minio("minio.mlflow-platform.svc:9000", access_key=key, secret_key=secret, secure=False)
        mlflow_user.put_object(bucket, "artifacts/probe.txt", __import__("io").BytesIO(b"ok"), 2)
        with pytest.raises(S3Error) as err:
            mlflow_user.make_bucket("not-mlflows")
    assert err.value.code == "AccessDenied"
    # A second run of the Job changes nothing and still succeeds (it runs again after any change).
    again = bootstrapped_minio.run(timeout=300)
    assert again.returncode == 0, f"{bootstrapped_minio.source} failed on a second run:\n{again.stderr}"


def test_a_new_root_password_works_after_a_restart_and_keeps_users_and_buckets(rendered, tmp_path):
    """Issue 16: what a changed minio_root_password does to the server the pods restart with (their
    root-credentials checksum changes): the same drives, the new password in the environment. The
    new one works, the old one is refused, and the buckets, users and policies made before are all
    there (MinIO keeps them apart from the root credentials)."""
    import io

    from containers_helpers import minio_process
    from minio import Minio, MinioAdmin
    from minio.credentials import StaticProvider
    from minio.error import S3Error

    user, old = _secret(rendered, "minio-root", "root-user"), _secret(rendered, "minio-root", "root-password")
    new, kept_secret = "a-new-root-password-of-minio", "kept-user-secret-1"
    proc = minio_process(rendered, tmp_path)
    endpoint = f"127.0.0.1:{proc.local_port('s3')}"
    server = proc.start(tmp_path / "minio-1.log")
    try:
        proc.wait_probe("startup", server)
        Minio(endpoint, access_key=user, secret_key=old, secure=False).make_bucket("kept-bucket")
        admin = MinioAdmin(endpoint=endpoint, credentials=StaticProvider(user, old), secure=False)
        admin.user_add("kept-user", kept_secret)
        admin.policy_set("readwrite", user="kept-user")
    finally:
        server.stop()
    assert proc.env["MINIO_ROOT_PASSWORD"] == old
    proc.env["MINIO_ROOT_PASSWORD"] = new  # what the restarted pod reads from the changed Secret
    server = proc.start(tmp_path / "minio-2.log")
    try:
        proc.wait_probe("startup", server)
        root = Minio(endpoint, access_key=user, secret_key=new, secure=False)
        assert root.bucket_exists("kept-bucket")
        with pytest.raises(S3Error) as err:
            Minio(endpoint, access_key=user, secret_key=old, secure=False).list_buckets()
        assert err.value.code in ("SignatureDoesNotMatch", "InvalidAccessKeyId"), err.value.code
        kept = Minio(endpoint, access_key="kept-user", secret_key=kept_secret, secure=False)
        kept.put_object("kept-bucket", "probe.txt", io.BytesIO(b"ok"), 2)
    finally:
        server.stop()
