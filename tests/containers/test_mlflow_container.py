"""The MLflow Deployment's containers, run as processes from the rendered manifest: the two
migration initContainers, then the server, against PostgreSQL bootstrapped by the platform's
Job and the MinIO StatefulSet's container (see conftest.py)."""

from __future__ import annotations

import base64
import http.client
import shutil
from pathlib import Path

import pytest
import yaml
from containers_helpers import mlflow_container
from harness.pod_process import ManifestError, Manifests, resolve_to_loopback

MLFLOW_URL = "http://mlflow.mlflow-platform.svc:5000"


def _secret(rendered, name: str, key: str) -> str:
    return base64.b64decode(rendered.get("Secret", name).obj["data"][key]).decode()


def _prefix(proc) -> str:
    return proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]


@pytest.mark.parametrize("kind", ["startup", "readiness", "liveness"])
def test_mlflow_probes_answer(mlflow_pod, kind):
    proc, server = mlflow_pod
    result = proc.wait_probe(kind, server, timeout=60)
    assert result.ok, f"{proc.source}: {kind} probe: {result.detail}"


def test_mlflow_admin_from_secret_creates_workspace_and_logs_run_with_artifact(
        rendered, mlflow_pod, platform_minio, tmp_path, monkeypatch):
    import mlflow
    from minio import Minio

    proc, _server = mlflow_pod
    minio_port = platform_minio[0].local_port("s3")
    hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", proc.local_port("http")),
             "minio.mlflow-platform.svc": ("127.0.0.1", minio_port)}
    admin, password = _secret(rendered, "mlflow-auth", "admin-username"), _secret(rendered, "mlflow-auth",
                                                                                   "admin-password")
    url = MLFLOW_URL + _prefix(proc)
    # The client as a pod in the cluster runs it: the Service URL, the S3 endpoint and credentials
    # MLflow itself uses (--no-serve-artifacts: clients write to MinIO directly).
    for key, value in {"MLFLOW_TRACKING_USERNAME": admin, "MLFLOW_TRACKING_PASSWORD": password,
                       "MLFLOW_S3_ENDPOINT_URL": proc.env["MLFLOW_S3_ENDPOINT_URL"].replace(
                           f"127.0.0.1:{minio_port}", "minio.mlflow-platform.svc:9000"),
                       "AWS_ACCESS_KEY_ID": _secret(rendered, "minio-mlflow", "AWS_ACCESS_KEY_ID"),
                       "AWS_SECRET_ACCESS_KEY": _secret(rendered, "minio-mlflow", "AWS_SECRET_ACCESS_KEY"),
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    artifact = tmp_path / "model.txt"
    artifact.write_text("weights")
    with resolve_to_loopback(hosts):
        import requests

        resp = requests.post(f"{url}/api/3.0/mlflow/workspaces", json={"name": "team-containers"},
                             auth=(admin, password), timeout=30)
        assert resp.status_code in (200, 201), f"{proc.source}: admin could not create a workspace: {resp.text}"
        monkeypatch.setenv("MLFLOW_WORKSPACE", "team-containers")
        mlflow.set_tracking_uri(url)
        try:
            _set_experiment(mlflow, "container-test", url, (admin, password))
            with mlflow.start_run() as run:
                mlflow.log_metric("loss", 0.5)
                mlflow.log_artifact(str(artifact))
            artifact_uri = run.info.artifact_uri
        finally:
            mlflow.set_tracking_uri(None)
    assert artifact_uri.startswith("s3://mlflow/"), artifact_uri
    bucket, key = artifact_uri[len("s3://"):].split("/", 1)
    root = Minio(f"127.0.0.1:{minio_port}", access_key=_secret(rendered, "minio-root", "root-user"),
                 secret_key=_secret(rendered, "minio-root", "root-password"), secure=False)
    names = [o.object_name for o in root.list_objects(bucket, prefix=key + "/", recursive=True)]
    assert f"{key}/model.txt" in names, f"{proc.source}: the artifact is not in MinIO bucket {bucket}: {names}"


def _set_experiment(mlflow, name: str, url: str, auth) -> None:
    """The client asks /server-info once with a fixed 3 s timeout and no retry; on these loaded
    machines a worker's first answer can take longer, so warm the workers and try again."""
    import requests
    from mlflow.exceptions import MlflowException

    for attempt in range(6):
        requests.get(f"{url}/api/3.0/mlflow/server-info", auth=auth, timeout=120)
        try:
            mlflow.set_experiment(name)
            return
        except MlflowException as exc:
            if "server-info" not in str(exc) or attempt == 5:
                raise


@pytest.mark.parametrize(("host", "allowed"), [("mlflow.mlflow-platform.svc:5000", True),
                                                ("mlflow.example.com", True),
                                                ("evil.example.net", False)])
def test_mlflow_rejects_hosts_not_allowed(rendered, mlflow_pod, host, allowed):
    proc, _server = mlflow_pod
    admin, password = _secret(rendered, "mlflow-auth", "admin-username"), _secret(rendered, "mlflow-auth",
                                                                                   "admin-password")
    conn = http.client.HTTPConnection("127.0.0.1", proc.local_port("http"), timeout=30)
    token = base64.b64encode(f"{admin}:{password}".encode()).decode()
    conn.request("GET", _prefix(proc) + "/api/3.0/mlflow/workspaces",
                 headers={"Host": host, "Authorization": f"Basic {token}"})
    status = conn.getresponse().status
    conn.close()
    if allowed:
        assert status == 200, f"{proc.source}: Host {host} should be allowed, got {status}"
    else:
        assert status in (400, 403), f"{proc.source}: Host {host} is not in --allowed-hosts but got {status}"


def _copy_render(rendered, tmp_path) -> Path:
    copy = tmp_path / "render"
    shutil.copytree(rendered.root, copy)
    return copy


def _edit_deployment(copy: Path, edit) -> Path:
    path = copy / "mlflow" / "deployment-mlflow.yaml"
    obj = yaml.safe_load(path.read_text())
    edit(obj["spec"]["template"]["spec"]["containers"][0], obj["spec"]["template"]["spec"])
    path.write_text(yaml.safe_dump(obj))
    return path


def _assert_fails_to_start(proc, tmp_path, edited):
    """The container exits before its startup probe answers, and the failure names the edited file."""
    server = proc.start(tmp_path / "broken.log")
    try:
        with pytest.raises(RuntimeError, match="exited with code") as err:
            proc.wait_probe("startup", server)
    finally:
        server.stop()
    assert str(edited) in str(err.value)


def test_broken_manifest_wrong_secret_key_is_detected(rendered, tmp_path):
    """A Deployment reading the admin password under a key the Secret does not have."""
    copy = _copy_render(rendered, tmp_path)

    def wrong_key(container, _pod):
        for env in container["env"]:
            if env["name"] == "MLFLOW_AUTH_ADMIN_PASSWORD":
                env["valueFrom"]["secretKeyRef"]["key"] = "admin_password"

    path = _edit_deployment(copy, wrong_key)
    with pytest.raises(ManifestError, match="has no key 'admin_password'") as err:
        mlflow_container(Manifests(copy), None, None, tmp_path / "w")
    assert str(path) in str(err.value)


def test_broken_manifest_missing_auth_ini_mount_fails_to_start(rendered, bootstrapped_postgres, platform_minio,
                                                               tmp_path):
    """Without the ConfigMap mount, MLFLOW_AUTH_CONFIG_PATH names a file that is not there: the
    container exits instead of becoming ready."""
    copy = _copy_render(rendered, tmp_path)

    def no_mount(container, _pod):
        container["volumeMounts"] = [m for m in container["volumeMounts"] if m["name"] != "auth-config"]

    path = _edit_deployment(copy, no_mount)
    proc = mlflow_container(Manifests(copy), bootstrapped_postgres, platform_minio[0], tmp_path / "w")
    assert proc.env["MLFLOW_AUTH_CONFIG_PATH"] == "/etc/mlflow/basic_auth.ini"
    _assert_fails_to_start(proc, tmp_path, path)


def test_broken_manifest_wrong_env_name_fails_to_start(rendered, bootstrapped_postgres, platform_minio, tmp_path):
    """The backend store URI under a misspelt variable: `$(MLFLOW_BACKEND_STORE_URI)` stays
    unexpanded in the args (as the kubelet leaves it) and the server refuses it."""
    copy = _copy_render(rendered, tmp_path)

    def misspelt(container, _pod):
        for env in container["env"]:
            if env["name"] == "MLFLOW_BACKEND_STORE_URI":
                env["name"] = "MLFLOW_BACKEND_STORE_URL"

    path = _edit_deployment(copy, misspelt)
    proc = mlflow_container(Manifests(copy), bootstrapped_postgres, platform_minio[0], tmp_path / "w")
    assert "--backend-store-uri=$(MLFLOW_BACKEND_STORE_URI)" in proc.argv
    _assert_fails_to_start(proc, tmp_path, path)
