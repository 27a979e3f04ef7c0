"""playbooks/tenants.yml with a cluster configured: the connection settings land as Secrets in the
tenants' namespaces, on the harness's real Kubernetes control plane (no kubelet: nothing reads
the Secrets from a pod here; the keys and values are what is checked), with the real MLflow and
MinIO servers behind the tenants.
"""

from __future__ import annotations

import base64

import pytest
from harness.playbook import ROOT, run_playbook

PLAYBOOK = ROOT / "playbooks" / "tenants.yml"
KEYS = {"MLFLOW_TRACKING_URI", "MLFLOW_WORKSPACE", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
        "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_REQUEST_CHECKSUM_CALCULATION"}

pytestmark = pytest.mark.slow


def tenant_list(two_state="present"):
    return [{"name": "tk-one", "members": [{"username": "tk-ann", "role": "admin"}]},
            {"name": "tk-two", "namespace": "tk-team-two", "state": two_state, "members": [{"username": "tk-ben"}]}]


def test_secrets_land_in_the_tenants_namespaces(kube_cluster, mlflow_server, minio_server, tmp_path):
    from kubernetes import client

    def play(listed):
        return run_playbook(PLAYBOOK, extra_vars={
            "mlflow_tracking_url": mlflow_server.url,
            "mlflow_admin_username": mlflow_server.admin_username,
            "mlflow_admin_password": mlflow_server.admin_password,
            "minio_endpoint_url": minio_server.endpoint,
            "minio_root_user": minio_server.access_key,
            "minio_root_password": minio_server.secret_key,
            "tenants_secrets_dir": str(tmp_path / "secrets"),
            "tenants_credentials_dir": str(tmp_path / "credentials"),
            "tenants_kubeconfig": str(kube_cluster.kubeconfig),
            "tenants_context": "",
            "mlflow_tenants": listed,
        })

    result = play(tenant_list())
    assert result.rc == 0, result.output[-5000:]
    core = client.CoreV1Api(kube_cluster.api_client())
    for tenant, namespace in (("tk-one", "tk-one"), ("tk-two", "tk-team-two")):
        labels = core.read_namespace(namespace).metadata.labels
        assert labels.get("onprem.mlflow/tenant") == "true"
        secret = core.read_namespaced_secret("mlflow-connection", namespace)
        data = {k: base64.b64decode(v).decode() for k, v in secret.data.items()}
        assert set(data) == KEYS
        assert data["MLFLOW_WORKSPACE"] == tenant
        assert data["MLFLOW_TRACKING_USERNAME"] == f"{tenant}-workload"
        assert data["MLFLOW_TRACKING_URI"] == mlflow_server.url
        assert data["MLFLOW_S3_ENDPOINT_URL"] == minio_server.endpoint
        # The handed-out credentials work against the real servers.
        status, _ = mlflow_server.request("GET", "/api/2.0/mlflow/users/current",
                                          auth=(data["MLFLOW_TRACKING_USERNAME"], data["MLFLOW_TRACKING_PASSWORD"]))
        assert status == 200
        s3 = minio_server.boto3(data["AWS_ACCESS_KEY_ID"], data["AWS_SECRET_ACCESS_KEY"])
        assert s3.list_objects_v2(Bucket=f"mlflow-{tenant}")["KeyCount"] == 0
    assert not (tmp_path / "credentials").exists()  # no .env files when a cluster is configured

    again = play(tenant_list())
    assert again.rc == 0 and again.changed == 0, again.output[-5000:]

    retired = play(tenant_list(two_state="absent"))
    assert retired.rc == 0, retired.output[-5000:]
    names = [s.metadata.name for s in core.list_namespaced_secret("tk-team-two").items]
    assert "mlflow-connection" not in names
    assert core.read_namespace("tk-team-two")  # the namespace (the team's workloads) stays
    assert core.read_namespaced_secret("mlflow-connection", "tk-one")


def test_with_a_cluster_the_admin_credentials_come_from_the_platforms_secrets(kube_cluster, mlflow_server,
                                                                            minio_server, tmp_path):
    """Issue 16: with a cluster configured, tenants.yml reads the MLflow admin and MinIO root
    credentials from the Secrets site.yml made (here written as site.yml writes them, holding the
    real servers' credentials); nothing is given in the inventory. Without those Secrets it stops
    before changing anything, saying where it looked."""
    from kubernetes import client

    core = client.CoreV1Api(kube_cluster.api_client())
    namespace = "tk-platform"

    def play():
        return run_playbook(PLAYBOOK, extra_vars={
            "platform_namespace": namespace,
            "mlflow_tracking_url": mlflow_server.url,
            "minio_endpoint_url": minio_server.endpoint,
            "tenants_secrets_dir": str(tmp_path / "secrets"),
            "tenants_kubeconfig": str(kube_cluster.kubeconfig),
            "tenants_context": "",
            "mlflow_tenants": [{"name": "tk-from-secrets", "members": [{"username": "tk-cleo"}]}],
        })

    def workspaces():
        return {w["name"] for w in mlflow_server.request("GET", "/api/3.0/mlflow/workspaces")[1]["workspaces"]}

    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    missing = play()
    assert missing.rc != 0
    assert f"mlflow_admin_password is empty and the Secret mlflow-auth in {namespace} holds none" in missing.output
    assert "tk-from-secrets" not in workspaces()  # nothing was made

    for name, data in (("mlflow-auth", {"admin-username": mlflow_server.admin_username,
                                        "admin-password": mlflow_server.admin_password}),
                       ("minio-root", {"root-user": minio_server.access_key,
                                       "root-password": minio_server.secret_key})):
        core.create_namespaced_secret(namespace, client.V1Secret(metadata=client.V1ObjectMeta(name=name),
                                                                 string_data=data))
    result = play()
    assert result.rc == 0, result.output[-5000:]
    assert mlflow_server.admin_password not in result.output and minio_server.secret_key not in result.output
    assert "tk-from-secrets" in workspaces()
    secret = core.read_namespaced_secret("mlflow-connection", "tk-from-secrets")
    data = {k: base64.b64decode(v).decode() for k, v in secret.data.items()}
    s3 = minio_server.boto3(data["AWS_ACCESS_KEY_ID"], data["AWS_SECRET_ACCESS_KEY"])
    assert s3.list_objects_v2(Bucket="mlflow-tk-from-secrets")["KeyCount"] == 0
