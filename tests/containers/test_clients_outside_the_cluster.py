"""People outside the cluster: two tenants' members log runs with artifacts from a laptop, with
the real `mlflow` client and nothing but the settings `tenants.yml` handed out, through the two
Ingress hosts of the example inventory (MLflow's and the S3 gateway's); neither reaches the
other's artifacts.

Real here: the MLflow Deployment's and the MinIO StatefulSet's containers as processes (see
conftest.py), the S3 gateway's container with Debian's nginx build, `playbooks/tenants.yml`.
Simulated, and said in the terminal summary: the ingress controller. The clients resolve
mlflow.example.com and s3.example.com to the MLflow process and to the gateway (what the
Ingress routes each host to), over plain HTTP (TLS ends at the controller); one test shows what
the handed-out settings make boto3 send over HTTPS.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request

import pytest
from containers_helpers import SIMULATED_NOTES, gateway_process, running
from harness.playbook import ROOT, run_playbook

MLFLOW_HOST, S3_HOST = "mlflow.example.com", "s3.example.com"
TEAM_A, TEAM_B = "ot-team-a", "ot-team-b"
ALICE, BOB = "ot-alice", "ot-bob"
PASSWORDS = {ALICE: "ot-alice-pw-0001", BOB: "ot-bob-pw-0001"}  # test values
SIMULATED = ("outside clients (tests/containers/test_clients_outside_the_cluster.py): the ingress controller is "
             "simulated: the clients resolve the Ingress hosts to the MLflow process and the S3 gateway, over HTTP")

# Run first in the laptop's Python: the Ingress hosts resolve to the local servers (the mapping
# stands in for DNS and the ingress controller), whatever port the URL names.
PRELUDE = textwrap.dedent("""
    import json, os, socket
    _hosts = json.loads(os.environ.pop("ONPREM_TEST_INGRESS"))
    _getaddrinfo = socket.getaddrinfo
    def _resolve(host, port, *args, **kwargs):
        if host in _hosts:
            return _getaddrinfo("127.0.0.1", _hosts[host], *args, **kwargs)
        return _getaddrinfo(host, port, *args, **kwargs)
    socket.getaddrinfo = _resolve
""")

LOG_RUN = PRELUDE + textwrap.dedent("""
    import sys, tempfile
    import mlflow
    mlflow.set_experiment(sys.argv[1])
    with mlflow.start_run() as run:
        mlflow.log_metric("accuracy", 0.9)
        path = os.path.join(tempfile.mkdtemp(), "model.bin")
        with open(sys.argv[2], "rb") as source, open(path, "wb") as handle:
            handle.write(source.read())
        mlflow.log_artifact(path)
    back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="model.bin",
                                               dst_path=tempfile.mkdtemp())
    print(json.dumps({"run_id": run.info.run_id, "artifact_uri": run.info.artifact_uri,
                      "downloaded": open(back, "rb").read().hex()}))
""")

# As one tenant's member, every way at the other tenant's run: through MLflow (the run, its
# artifacts) and straight at its bucket with the tenant's own S3 key (read, list, write).
REACH_OTHER = PRELUDE + textwrap.dedent("""
    import sys, tempfile
    import boto3, mlflow
    from mlflow.tracking import MlflowClient
    run_id, uri = sys.argv[1], sys.argv[2]
    bucket, key = uri[len("s3://"):].split("/", 1)
    outcome = {}
    def attempt(name, call):
        try:
            call()
            outcome[name] = "allowed"
        except Exception as exc:
            outcome[name] = type(exc).__name__ + ": " + str(exc)[:200]
    attempt("mlflow get_run", lambda: MlflowClient().get_run(run_id))
    attempt("mlflow download", lambda: mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="model.bin", dst_path=tempfile.mkdtemp()))
    s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"])
    attempt("s3 get", lambda: s3.get_object(Bucket=bucket, Key=key + "/model.bin")["Body"].read())
    attempt("s3 list", lambda: s3.list_objects_v2(Bucket=bucket))
    attempt("s3 put", lambda: s3.put_object(Bucket=bucket, Key=key + "/planted.bin", Body=b"x"))
    print(json.dumps(outcome))
""")

# What boto3 sends to an HTTPS S3 endpoint with the handed-out settings (no request leaves: the
# send is answered in-process).
HTTPS_HEADERS = textwrap.dedent("""
    import io, json, os
    import boto3
    from botocore.awsrequest import AWSResponse
    class _Raw:
        def stream(self, *args, **kwargs):
            return iter([b""])
    seen = []
    def _answer(request, **kwargs):
        seen.append(request.headers.get("x-amz-content-sha256", b"").decode())
        return AWSResponse(request.url, 200, {}, _Raw())
    s3 = boto3.client("s3", endpoint_url=os.environ["MLFLOW_S3_ENDPOINT_URL"].replace("http://", "https://"))
    s3.meta.events.register("before-send.s3", _answer)
    s3.upload_fileobj(io.BytesIO(b"weights"), "bucket", "key")
    print(json.dumps(seen))
""")


def _secret(rendered, name: str, key: str) -> str:
    return base64.b64decode(rendered.get("Secret", name).obj["data"][key]).decode()


@pytest.fixture(scope="module")
def gateway(rendered, platform_minio, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("minio-gateway")
    proc = gateway_process(rendered, platform_minio[0], workdir)
    with running(proc, workdir / "nginx.log", probe="readiness", timeout=60):
        yield proc


@pytest.fixture(scope="module")
def outside(rendered, mlflow_pod, platform_minio, bootstrapped_minio, gateway, tmp_path_factory):
    """Two tenants made by tenants.yml, their settings pointing at the two Ingress hosts."""
    mlflow_proc, _server = mlflow_pod
    minio_proc, _ = platform_minio
    prefix = mlflow_proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]
    workdir = tmp_path_factory.mktemp("outside")
    listed = [{"name": TEAM_A, "members": [{"username": ALICE, "role": "admin", "password": PASSWORDS[ALICE]}]},
              {"name": TEAM_B, "members": [{"username": BOB, "role": "user", "password": PASSWORDS[BOB]}]}]
    result = run_playbook(ROOT / "playbooks" / "tenants.yml", extra_vars={
        # The controller reaches the servers directly; the teams are told the Ingress hosts.
        "mlflow_tracking_url": f"http://127.0.0.1:{mlflow_proc.local_port('http')}{prefix}",
        "mlflow_admin_username": _secret(rendered, "mlflow-auth", "admin-username"),
        "mlflow_admin_password": _secret(rendered, "mlflow-auth", "admin-password"),
        "minio_endpoint_url": f"http://127.0.0.1:{minio_proc.local_port(9000)}",
        "minio_root_user": _secret(rendered, "minio-root", "root-user"),
        "minio_root_password": _secret(rendered, "minio-root", "root-password"),
        "tenants_client_tracking_uri": f"http://{MLFLOW_HOST}{prefix}",
        "tenants_client_s3_endpoint_url": f"http://{S3_HOST}",
        "tenants_secrets_dir": str(workdir / "secrets"),
        "tenants_credentials_dir": str(workdir / "credentials"),
        "tenants_kubeconfig": "", "tenants_context": "",
        "mlflow_tenants": listed,
    }, env={"K8S_AUTH_KUBECONFIG": "", "K8S_AUTH_CONTEXT": ""})
    assert result.rc == 0, f"tenants.yml failed:\n{result.output[-4000:]}"
    if SIMULATED not in SIMULATED_NOTES:
        SIMULATED_NOTES.append(SIMULATED)
    ingress = {MLFLOW_HOST: mlflow_proc.local_port("http"), S3_HOST: gateway.local_port(8080)}
    return {"workdir": workdir, "ingress": ingress, "credentials": workdir / "credentials", "minio": minio_proc,
            "rendered": rendered}


def _settings(outside, tenant: str, member: str) -> dict:
    """The tenant's handed-out settings, as the member puts them on a laptop: the tenant's file
    with the member's own MLflow user name and password."""
    lines = (outside["credentials"] / f"{tenant}.env").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if line)
    env.update(MLFLOW_TRACKING_USERNAME=member, MLFLOW_TRACKING_PASSWORD=PASSWORDS[member])
    return env


def _laptop(outside, env: dict, script: str, *args) -> dict:
    """The real client in a fresh Python whose environment is exactly `env` (plus PATH, HOME and
    the Ingress mapping)."""
    run_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(outside["workdir"]), **env,
               "ONPREM_TEST_INGRESS": json.dumps(outside["ingress"])}
    proc = subprocess.run([sys.executable, "-c", script, *args], env=run_env, capture_output=True, text=True,
                          timeout=300, cwd=outside["workdir"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _root_objects(outside, bucket: str, prefix: str) -> list[str]:
    from minio import Minio

    rendered = outside["rendered"]
    root = Minio(f"127.0.0.1:{outside['minio'].local_port(9000)}", secure=False,
                 access_key=_secret(rendered, "minio-root", "root-user"),
                 secret_key=_secret(rendered, "minio-root", "root-password"))
    return [o.object_name for o in root.list_objects(bucket, prefix=prefix, recursive=True)]


@pytest.fixture(scope="module")
def runs(outside):
    """Each member logs a run from a laptop: 256 kB of artifact, read back through the gateway."""
    logged = {}
    for tenant, member in ((TEAM_A, ALICE), (TEAM_B, BOB)):
        payload = os.urandom(256 * 1024)
        source = outside["workdir"] / f"payload-{member}.bin"
        source.write_bytes(payload)
        env = _settings(outside, tenant, member)
        assert env["MLFLOW_TRACKING_URI"].startswith(f"http://{MLFLOW_HOST}/")
        assert env["MLFLOW_S3_ENDPOINT_URL"] == f"http://{S3_HOST}"
        logged[tenant] = {"env": env, "payload": payload.hex(),
                          **_laptop(outside, env, LOG_RUN, f"laptop-{member}", str(source))}
    return logged


@pytest.mark.parametrize("tenant", [TEAM_A, TEAM_B])
def test_a_member_logs_artifacts_from_a_laptop_into_the_tenants_bucket(outside, runs, tenant):
    run = runs[tenant]
    assert run["downloaded"] == run["payload"], "the artifact read back through the S3 gateway differs"
    bucket, key = run["artifact_uri"][len("s3://"):].split("/", 1)
    assert bucket == f"mlflow-{tenant}", run["artifact_uri"]
    assert f"{key}/model.bin" in _root_objects(outside, bucket, key + "/")


@pytest.mark.parametrize(("member_of", "other"), [(TEAM_A, TEAM_B), (TEAM_B, TEAM_A)])
def test_a_member_reaches_nothing_of_the_other_tenant_from_a_laptop(outside, runs, member_of, other):
    env = runs[member_of]["env"]
    target = runs[other]
    outcome = _laptop(outside, env, REACH_OTHER, target["run_id"], target["artifact_uri"])
    allowed = [name for name, result in outcome.items() if result == "allowed"]
    assert not allowed, f"a member of {member_of} could {allowed} on {other}'s run: {outcome}"
    assert "PERMISSION_DENIED" in outcome["mlflow get_run"] or "403" in outcome["mlflow get_run"], outcome
    for name in ("s3 get", "s3 list", "s3 put"):
        assert "AccessDenied" in outcome[name], outcome
    bucket, key = target["artifact_uri"][len("s3://"):].split("/", 1)
    assert f"{key}/planted.bin" not in _root_objects(outside, bucket, key + "/")


def test_the_gateway_refuses_the_unsigned_trailer_write(outside, runs):
    """CVE-2026-40344's request type never reaches MinIO from outside: refused by the gateway."""
    target = runs[TEAM_A]
    bucket, key = target["artifact_uri"][len("s3://"):].split("/", 1)
    port = outside["ingress"][S3_HOST]
    headers = {"Host": S3_HOST, "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
               "Content-Encoding": "aws-chunked"}
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{bucket}/{key}/unsigned.bin", data=b"payload",
                                     method="PUT", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback, the test's own gateway
    assert refused.value.code == 403
    assert "STREAMING-UNSIGNED-PAYLOAD-TRAILER is refused" in refused.value.read().decode()
    assert f"{key}/unsigned.bin" not in _root_objects(outside, bucket, key + "/")


def test_the_handed_out_settings_sign_payloads_over_https(outside, runs):
    """Over HTTPS (the real Ingress) boto3 would send STREAMING-UNSIGNED-PAYLOAD-TRAILER, which
    the gateway refuses; with the handed-out settings it sends the payload's SHA-256."""
    env = runs[TEAM_A]["env"]
    assert env["AWS_REQUEST_CHECKSUM_CALCULATION"] == "when_required"
    sent = _laptop(outside, env, HTTPS_HEADERS)
    assert sent and all(len(value) == 64 and "TRAILER" not in value for value in sent), sent
    default = {k: v for k, v in env.items() if k != "AWS_REQUEST_CHECKSUM_CALCULATION"}
    assert _laptop(outside, default, HTTPS_HEADERS) == ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"], \
        "boto3 no longer sends the trailer payload type by default over HTTPS: the setting may be unneeded"
