"""playbooks/site.yml, then playbooks/tenants.yml, on the real node (harness.kube_node).

Unlike the cluster tier (KWOK), every container here really starts from an image built by
harness.node_images, the kubelet runs the probes, and the Services answer through kube-proxy.
The runs happen once per module; the tests read their results in order: the platform, its
restarts onto its own data, then the tenants and one real MLflow client Job per tenant.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

import pytest
from harness.playbook import run_playbook
from harness.waiting import wait_until
from kubernetes import client

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
INVENTORY = Path(__file__).resolve().parent / "inventory"
NAMESPACE = "mlflow-platform"
TENANTS = ("team-a", "team-b")


@pytest.fixture(scope="module")
def core(kube_node):
    with kube_node.cluster.api_client() as api:
        yield client.CoreV1Api(api)


@pytest.fixture(scope="module")
def batch(kube_node):
    with kube_node.cluster.api_client() as api:
        yield client.BatchV1Api(api)


def _env(kube_node) -> dict:
    assert not os.environ.get("K8S_AUTH_CONTEXT"), "unset K8S_AUTH_CONTEXT: the suite applies to its own cluster"
    return {"K8S_AUTH_KUBECONFIG": str(kube_node.cluster.kubeconfig)}


@pytest.fixture(scope="module")
def site(kube_node):
    """site.yml in apply mode with the one-node inventory and the images built here."""
    work = kube_node.workdir / "site"
    extra = {
        "node_volume_root": str(kube_node.workdir / "volumes"),
        "platform_secrets_dir": str(work / "secrets"),
        "platform_render_dir": str(work / "manifests"),
        **{f"node_{name}_image": kube_node.images[name] for name in ("postgres", "minio", "mc", "mlflow")},
    }
    started = time.monotonic()
    result = run_playbook(ROOT / "playbooks" / "site.yml", inventory=INVENTORY, extra_vars=extra,
                          env=_env(kube_node), timeout=1200)
    result.seconds = time.monotonic() - started
    assert result.rc == 0 and result.failed == 0, result.output[-10000:]
    return result


def _pods(core):
    return core.list_namespaced_pod(NAMESPACE).items


def _owned_by_job(pod) -> bool:
    return any(ref.kind == "Job" for ref in pod.metadata.owner_references or [])


def _ready(pod) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or []))


def _wait(what, check, timeout=300):
    return wait_until(what, check, timeout, interval=2)


def test_every_platform_pod_runs_its_real_container(site, core):
    pods = [p for p in _pods(core) if not _owned_by_job(p)]
    names = {p.metadata.labels.get("app.kubernetes.io/name") for p in pods}
    assert {"postgres", "minio", "mlflow"} <= names, names
    for pod in pods:
        assert pod.status.phase == "Running" and _ready(pod), (pod.metadata.name, pod.status)
        assert pod.spec.node_name == "localhost"
        assert pod.status.pod_ip.startswith("198.18.0.")
        for status in pod.status.container_statuses:
            # Started by containerd from the image built here, and still the first container.
            assert status.state.running and status.state.running.started_at, (pod.metadata.name, status)
            assert status.image_id and status.container_id.startswith("containerd://")
            assert status.ready and status.restart_count == 0, (pod.metadata.name, status)


def test_probes_are_sent_by_the_kubelet_and_pass(site, core):
    probed = 0
    for pod in [p for p in _pods(core) if not _owned_by_job(p)]:
        for container in pod.spec.containers:
            if container.readiness_probe or container.liveness_probe:
                probed += 1
    assert probed >= 3
    # Liveness keeps passing: nothing restarts over a few probe periods.
    time.sleep(20)
    for pod in [p for p in _pods(core) if not _owned_by_job(p)]:
        for status in pod.status.container_statuses or []:
            assert status.restart_count == 0, (pod.metadata.name, status.last_state)
    events = core.list_namespaced_event(NAMESPACE).items
    failures = [e.message for e in events if e.reason == "Unhealthy" and "Liveness" in (e.message or "")]
    assert not failures, failures


def test_both_bootstrap_jobs_complete(site, batch, core):
    jobs = batch.list_namespaced_job(NAMESPACE).items
    stems = sorted(j.metadata.name.rsplit("-", 1)[0] for j in jobs)
    assert stems == ["minio-bootstrap", "postgres-bootstrap"], stems
    for job in jobs:
        assert job.status.succeeded == 1, (job.metadata.name, job.status)


def test_postgres_data_directory_belongs_to_uid_999(site, kube_node):
    data = kube_node.workdir / "volumes" / "postgres"
    assert data.stat().st_uid == 999 and data.stat().st_gid == 999
    pgdata = data / "pgdata"
    assert (pgdata / "PG_VERSION").read_text().strip() == "15"
    assert pgdata.stat().st_uid == 999
    assert oct(pgdata.stat().st_mode & 0o777) == "0o700"


def test_minio_and_postgres_restart_onto_their_data(site, core, kube_node):
    pg_version = kube_node.workdir / "volumes" / "postgres" / "pgdata" / "PG_VERSION"
    before = pg_version.stat().st_mtime_ns
    bucket_dir = kube_node.workdir / "volumes" / "minio" / "drive-0" / "mlflow"
    assert bucket_dir.is_dir(), "the bootstrap Job made no bucket mlflow on the drive"
    old = {p.metadata.name: p.metadata.uid for p in _pods(core)
           if p.metadata.name in ("postgres-0", "minio-0")}
    assert set(old) == {"postgres-0", "minio-0"}, old
    for name in old:
        core.delete_namespaced_pod(name, NAMESPACE)

    def back():
        pods = {p.metadata.name: p for p in _pods(core) if p.metadata.name in old}
        return all(name in pods and pods[name].metadata.uid != old[name] and _ready(pods[name]) for name in old)

    _wait("postgres-0 and minio-0 to come back Ready", back, timeout=240)
    log = core.read_namespaced_pod_log("postgres-0", NAMESPACE, container="postgres")
    assert "initdb" not in log and "Success." not in log, "PostgreSQL initialised its data anew:\n" + log
    assert pg_version.stat().st_mtime_ns == before
    assert bucket_dir.is_dir()
    # MLflow keeps serving on the same database (its readiness probe reaches it).
    _wait("MLflow to be Ready again", lambda: all(
        _ready(p) for p in _pods(core) if p.metadata.labels.get("app.kubernetes.io/name") == "mlflow"), 120)


# --- tenants --------------------------------------------------------------------------------

def _secret(core, name: str, key: str) -> str:
    return base64.b64decode(core.read_namespaced_secret(name, NAMESPACE).data[key]).decode()


@pytest.fixture(scope="module")
def tenants(site, core, kube_node):
    """tenants.yml from the controller (this machine) through the Services' ClusterIPs, which
    only kube-proxy's rules on this node make answer."""
    mlflow_ip = core.read_namespaced_service("mlflow", NAMESPACE).spec.cluster_ip
    minio_ip = core.read_namespaced_service("minio", NAMESPACE).spec.cluster_ip
    work = kube_node.workdir / "tenants"
    extra = {
        "platform_namespace": NAMESPACE,
        "mlflow_tracking_url": f"http://{mlflow_ip}:5000",
        "minio_endpoint_url": f"http://{minio_ip}:9000",
        "mlflow_admin_password": _secret(core, "mlflow-auth", "admin-password"),
        "minio_root_password": _secret(core, "minio-root", "root-password"),
        "tenants_client_tracking_uri": f"http://mlflow.{NAMESPACE}.svc.cluster.local:5000",
        "tenants_client_s3_endpoint_url": f"http://minio.{NAMESPACE}.svc.cluster.local:9000",
        "tenants_secrets_dir": str(work / "secrets"),
        "tenants_credentials_dir": str(work / "credentials"),
        "mlflow_tenants": [{"name": t, "members": [{"username": f"{t}-lead", "role": "admin"}]} for t in TENANTS],
    }
    result = run_playbook(ROOT / "playbooks" / "tenants.yml", inventory=INVENTORY, extra_vars=extra,
                          env=_env(kube_node), timeout=900)
    assert result.rc == 0 and result.failed == 0, result.output[-10000:]
    return result


# The tenant's Job: the real mlflow client, configured by the tenant's Secret alone. It logs a
# run with a metric and an artifact, reads the artifact back, then tries the other tenant's
# experiment and bucket (passed as arguments: names, no credentials) and prints what it got.
CLIENT = r"""
import json, os, sys
import boto3, mlflow
from mlflow.tracking import MlflowClient
other_experiment, other_bucket = sys.argv[1], sys.argv[2]
out = {}
mlflow.set_experiment("node-tier")
with mlflow.start_run() as run:
    mlflow.log_metric("accuracy", 0.93)
    mlflow.log_text("hello from the node tier", "notes/hello.txt")
out["experiment_id"] = run.info.experiment_id
out["run_id"] = run.info.run_id
out["artifact_uri"] = run.info.artifact_uri
client = MlflowClient()
out["metric"] = client.get_run(run.info.run_id).data.metrics.get("accuracy")
path = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="notes/hello.txt")
out["artifact"] = open(path).read()
if other_experiment != "-":
    try:
        client.get_experiment(other_experiment)
        out["other_experiment"] = "read"
    except Exception as exc:
        out["other_experiment"] = "refused: " + str(exc)[:200]
    try:
        # The endpoint as MLflow gets it from the Secret (plain boto3 would go to AWS).
        s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
        s3.list_objects_v2(Bucket=other_bucket)
        out["other_bucket"] = "read"
    except Exception as exc:
        out["other_bucket"] = "refused: " + str(exc)[:200]
print("RESULT " + json.dumps(out))
"""


def _run_client_job(core, batch, kube_node, tenant: str, other_experiment: str, other_bucket: str) -> dict:
    namespace = tenant  # a tenant's namespace is its name unless it says otherwise
    name = f"mlflow-client-{int(time.time())}"
    restricted = client.V1SecurityContext(
        run_as_non_root=True, run_as_user=10001, allow_privilege_escalation=False,
        capabilities=client.V1Capabilities(drop=["ALL"]),
        seccomp_profile=client.V1SeccompProfile(type="RuntimeDefault"))
    batch.create_namespaced_job(namespace, client.V1Job(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1JobSpec(backoff_limit=0, template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
            restart_policy="Never",
            containers=[client.V1Container(
                name="client", image=kube_node.images["mlflow"], image_pull_policy="Never",
                command=["python3", "-c", CLIENT, other_experiment, other_bucket],
                env_from=[client.V1EnvFromSource(secret_ref=client.V1SecretEnvSource(name="mlflow-connection"))],
                security_context=restricted)])))))

    def done():
        job = batch.read_namespaced_job(name, namespace)
        return job if (job.status.succeeded or job.status.failed) else None

    job = _wait(f"Job {namespace}/{name}", done, timeout=300)
    (pod,) = core.list_namespaced_pod(namespace, label_selector=f"job-name={name}").items
    # The raw body: the client's preloaded str of a log is the repr of its bytes here.
    log = core.read_namespaced_pod_log(pod.metadata.name, namespace, _preload_content=False).data.decode()
    assert job.status.succeeded == 1, log[-4000:]
    (line,) = [line for line in log.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT "):])


@pytest.fixture(scope="module")
def client_runs(tenants, core, batch, kube_node) -> dict[str, dict]:
    a = _run_client_job(core, batch, kube_node, "team-a", "-", "-")
    b = _run_client_job(core, batch, kube_node, "team-b", a["experiment_id"], "mlflow-team-a")
    a2 = _run_client_job(core, batch, kube_node, "team-a", b["experiment_id"], "mlflow-team-b")
    return {"team-a": a, "team-b": b, "team-a-again": a2}


def test_tenants_converge_through_kube_proxy(tenants, core):
    for tenant in TENANTS:
        ns = core.read_namespace(tenant)
        assert ns.metadata.labels.get("onprem.mlflow/tenant") == "true"
        secret = core.read_namespaced_secret("mlflow-connection", tenant)
        keys = set(secret.data)
        assert {"MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
                "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL"} <= keys, keys


def test_each_tenant_job_logs_a_run_with_a_metric_and_an_artifact(client_runs):
    for tenant in ("team-a", "team-b"):
        run = client_runs[tenant]
        assert run["metric"] == 0.93
        assert run["artifact"] == "hello from the node tier"
        assert run["artifact_uri"].startswith(f"s3://mlflow-{tenant}/"), run


def test_a_tenant_cannot_read_the_other_tenants_experiment_or_bucket(client_runs):
    for tenant in ("team-b", "team-a-again"):
        run = client_runs[tenant]
        assert run["other_experiment"].startswith("refused"), run
        assert run["other_bucket"].startswith("refused"), run
        assert "AccessDenied" in run["other_bucket"], run
