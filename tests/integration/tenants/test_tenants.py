"""playbooks/tenants.yml end to end, against the real PostgreSQL, MLflow (basic-auth, workspaces)
and MinIO servers of the harness; the teams' side is the real `mlflow` client and boto3, run with
nothing but the settings the playbook handed out.

The tests of this module run in order and build on each other (one platform, changed step by
step), because each playbook run costs tens of seconds on these machines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from harness.playbook import ROOT, run_playbook

PLAYBOOK = ROOT / "playbooks" / "tenants.yml"
# Names of this module's objects; the session's servers are shared with other tests.
ALPHA, BETA, GAMMA = "tt-alpha", "tt-beta", "tt-gamma"
ALICE_PASSWORD = "alice-tenant-pw-0001"  # noqa: S105 - a test value
ALICE_NEW_PASSWORD = "alice-tenant-pw-0002"  # noqa: S105 - a test value
SETTINGS_KEYS = {"MLFLOW_TRACKING_URI", "MLFLOW_WORKSPACE", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD",
                 "MLFLOW_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                 "AWS_REQUEST_CHECKSUM_CALCULATION"}

CLIENT = textwrap.dedent("""
    import json, os, sys, tempfile
    import mlflow
    from mlflow.tracking import MlflowClient
    name = sys.argv[1]
    mlflow.set_experiment(name)
    with mlflow.start_run() as run:
        mlflow.log_param("who", os.environ["MLFLOW_TRACKING_USERNAME"])
        mlflow.log_metric("accuracy", 0.9)
        path = os.path.join(tempfile.mkdtemp(), "model.txt")
        with open(path, "w") as handle:
            handle.write("weights of " + name)
        mlflow.log_artifact(path)
    seen = [e.name for e in MlflowClient().search_experiments()]
    print(json.dumps({"artifact_uri": run.info.artifact_uri, "experiments": seen}))
""")

SEARCH = textwrap.dedent("""
    import json
    from mlflow.tracking import MlflowClient
    try:
        print(json.dumps({"experiments": [e.name for e in MlflowClient().search_experiments()]}))
    except Exception as exc:
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)[:300]}))
""")


def tenants(alice_in_beta=True, gamma="present", extra=None, alice_password=ALICE_PASSWORD):
    beta_members = [{"username": "tt-carol", "role": "admin"}]
    if alice_in_beta:
        beta_members.append({"username": "tt-alice", "role": "user", "password": alice_password})
    listed = [
        {"name": ALPHA, "quota": "1GiB", "members": [
            {"username": "tt-alice", "role": "admin", "password": alice_password},
            {"username": "tt-bob"}]},
        {"name": BETA, "members": beta_members},
        {"name": GAMMA, "state": gamma, "members": [{"username": "tt-dave"}]},
    ]
    return listed + (extra or [])


class Platform:
    def __init__(self, mlflow_server, minio_server, workdir: Path):
        self.mlflow = mlflow_server
        self.minio = minio_server
        self.workdir = workdir
        self.secrets_dir = workdir / "secrets"
        self.credentials_dir = workdir / "credentials"

    def extra_vars(self, listed, **more):
        return {
            "mlflow_tracking_url": self.mlflow.url,
            "mlflow_admin_username": self.mlflow.admin_username,
            "mlflow_admin_password": self.mlflow.admin_password,
            "minio_endpoint_url": self.minio.endpoint,
            "minio_root_user": self.minio.access_key,
            "minio_root_password": self.minio.secret_key,
            "tenants_secrets_dir": str(self.secrets_dir),
            "tenants_credentials_dir": str(self.credentials_dir),
            "tenants_kubeconfig": "",
            "tenants_context": "",
            "mlflow_tenants": listed,
            **more,
        }

    def run(self, listed, **kwargs):
        more = kwargs.pop("more", {})
        return run_playbook(PLAYBOOK, extra_vars=self.extra_vars(listed, **more), **kwargs)

    def settings(self, tenant) -> dict:
        lines = (self.credentials_dir / f"{tenant}.env").read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if line)

    def member_settings(self, tenant, username, password=None) -> dict:
        env = self.settings(tenant)
        env["MLFLOW_TRACKING_USERNAME"] = username
        env["MLFLOW_TRACKING_PASSWORD"] = password or (self.secrets_dir / "mlflow-user" / username).read_text().strip()
        return env

    def client(self, env: dict, script: str, *args) -> dict:
        """The real mlflow client in a subprocess whose environment is exactly `env` (plus PATH and HOME)."""
        run_env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.workdir), **env}
        proc = subprocess.run([sys.executable, "-c", script, *args], env=run_env, capture_output=True, text=True,
                              timeout=300, cwd=self.workdir)
        assert proc.returncode == 0, proc.stderr[-3000:]
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def state(self) -> dict:
        """What both servers hold of this module's tenants, to compare before and after a run."""
        status, users = self.mlflow.request("GET", "/api/2.0/mlflow/users/list")
        assert status == 200
        status, workspaces = self.mlflow.request("GET", "/api/3.0/mlflow/workspaces")
        assert status == 200
        admin = self.minio.admin()
        return {
            # Workspace roles; MLflow's synthetic __user_<id>__ roles (what a user created) aside.
            "mlflow_users": sorted((u["username"], sorted((r["workspace"], r["name"]) for r in u.get("roles", [])
                                                          if not r["name"].startswith("__user_")))
                                   for u in users["users"] if u["username"].startswith("tt-")),
            "workspaces": sorted(w["name"] for w in workspaces["workspaces"] if w["name"].startswith("tt-")),
            "buckets": sorted(b.name for b in self.minio.minio().list_buckets() if b.name.startswith("mlflow-tt-")),
            "minio_users": sorted(k for k in json.loads(admin.user_list()) if k.startswith("mlflow-tt-")),
            "policies": sorted(k for k in json.loads(admin.policy_list()) if k.startswith("mlflow-tt-")),
            "service_accounts": {u: sorted(a["accessKey"] for a in json.loads(admin.list_service_account(u))
                                           .get("accounts") or [])
                                 for u in json.loads(admin.user_list()) if u.startswith("mlflow-tt-")},
        }

    def password_checks(self) -> int:
        """How many password checks (`users/current` requests) MLflow has answered so far."""
        return self.mlflow.log_path.read_text(errors="replace").count("/api/2.0/mlflow/users/current")

    def all_secrets(self) -> set[str]:
        found = {ALICE_PASSWORD, ALICE_NEW_PASSWORD, self.mlflow.admin_password, self.minio.secret_key}
        for path in self.secrets_dir.rglob("*"):
            if path.is_file():
                found.add(path.read_text().strip())
        return found


@pytest.fixture(scope="module")
def platform(mlflow_server, minio_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tenants")
    platform = Platform(mlflow_server, minio_server, workdir)
    result = platform.run(tenants())
    assert result.rc == 0, result.output[-5000:]
    assert result.changed > 0
    return platform


def test_first_run_creates_everything(platform):
    state = platform.state()
    assert state["workspaces"] == [ALPHA, BETA, GAMMA]
    assert state["buckets"] == [f"mlflow-{t}" for t in (ALPHA, BETA, GAMMA)]
    users = dict(state["mlflow_users"])
    assert users["tt-alice"] == [(ALPHA, "admin"), (BETA, "user")]  # one person, two tenants, two roles
    assert users["tt-bob"] == [(ALPHA, "user")]
    assert users["tt-alpha-workload"] == [(ALPHA, "user")]
    assert all(len(accounts) == 1 for accounts in state["service_accounts"].values())
    # The settings file: exactly the documented keys, private.
    env_file = platform.credentials_dir / f"{ALPHA}.env"
    assert set(platform.settings(ALPHA)) == SETTINGS_KEYS
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert platform.credentials_dir.stat().st_mode & 0o777 == 0o700
    assert platform.settings(ALPHA)["MLFLOW_WORKSPACE"] == ALPHA
    assert platform.settings(ALPHA)["MLFLOW_TRACKING_USERNAME"] == "tt-alpha-workload"
    for path in platform.secrets_dir.rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path
    assert platform.secrets_dir.stat().st_mode & 0o777 == 0o700
    # Quota on the bucket of the tenant that asked for one.
    assert json.loads(platform.minio.admin().bucket_quota_get(f"mlflow-{ALPHA}"))["quota"] == 1024 ** 3


def test_second_run_changes_nothing_and_prints_no_secret(platform):
    checks_before = platform.password_checks()
    result = platform.run(tenants(), verbosity=3)
    assert result.rc == 0, result.output[-5000:]
    assert result.changed == 0, result.output[-5000:]
    leaked = [s for s in platform.all_secrets() if s in result.output]
    assert not leaked, "a password or secret key is in the -vvv output"
    assert "tt-alpha-workload" in result.output  # the summary is there
    # Alice's given password is the one applied last time: not checked again on the server.
    assert platform.password_checks() == checks_before


def test_a_changed_inventory_password_is_set_and_an_outside_change_only_with_always(platform):
    # MLflow caches a verified password per server process (auth_cache_ttl_seconds) and forgets it
    # only in the process that handled a change: so this test never logs in with a password before
    # the server's copy of it is final, or a stale cache entry elsewhere could answer for it.
    def logs_in(password):
        status, _ = platform.mlflow.request("GET", "/api/2.0/mlflow/users/current", auth=("tt-alice", password))
        assert status in (200, 401)
        return status == 200

    # The inventory gives alice a new password: set on the server, the old one stops working.
    result = platform.run(tenants(alice_password=ALICE_NEW_PASSWORD))
    assert result.rc == 0 and result.changed > 0, result.output[-5000:]
    assert not logs_in(ALICE_PASSWORD)
    # Alice changes it through MLflow: the default mode leaves that alone (the inventory did not change)...
    outside = "alice-own-choice-03"
    status, _ = platform.mlflow.request("PATCH", "/api/2.0/mlflow/users/update-password",
                                        {"username": "tt-alice", "password": outside})
    assert status == 200
    result = platform.run(tenants(alice_password=ALICE_NEW_PASSWORD))
    assert result.rc == 0 and result.changed == 0, result.output[-5000:]
    assert logs_in(outside)
    # ...`always` checks it on the server and sets the inventory's one again.
    result = platform.run(tenants(alice_password=ALICE_NEW_PASSWORD), more={"tenants_update_password": "always"})
    assert result.rc == 0 and result.changed > 0, result.output[-5000:]
    assert logs_in(ALICE_NEW_PASSWORD)
    # Back to the module's password for the tests that follow.
    result = platform.run(tenants())
    assert result.rc == 0 and result.changed > 0, result.output[-5000:]
    assert logs_in(ALICE_PASSWORD)


def test_workload_and_members_log_runs_into_their_bucket(platform):
    s3 = platform.minio.boto3()
    for tenant, env in [(ALPHA, platform.settings(ALPHA)), (BETA, platform.settings(BETA)),
                        (ALPHA, platform.member_settings(ALPHA, "tt-alice", ALICE_PASSWORD)),
                        (ALPHA, platform.member_settings(ALPHA, "tt-bob")),
                        (BETA, platform.member_settings(BETA, "tt-alice", ALICE_PASSWORD)),
                        (GAMMA, platform.settings(GAMMA))]:
        experiment = "exp-%s" % env["MLFLOW_TRACKING_USERNAME"]
        answer = platform.client(env, CLIENT, experiment)
        assert answer["artifact_uri"].startswith(f"s3://mlflow-{tenant}/"), answer
        key = answer["artifact_uri"].split("/", 3)[3] + "/model.txt"
        body = s3.get_object(Bucket=f"mlflow-{tenant}", Key=key)["Body"].read().decode()
        assert body == "weights of " + experiment


def test_nobody_sees_another_tenants_experiments_or_bucket(platform):
    import botocore.exceptions

    alpha, beta = platform.settings(ALPHA), platform.settings(BETA)
    seen = platform.client(alpha, SEARCH)["experiments"]
    assert "exp-tt-alpha-workload" in seen and "exp-tt-beta-workload" not in seen
    # Alpha's workload pointed at beta's workspace sees nothing there (or is refused).
    answer = platform.client(dict(alpha, MLFLOW_WORKSPACE=BETA), SEARCH)
    assert "exp-tt-beta-workload" not in answer.get("experiments", [])
    # Bob (alpha only) sees nothing of beta either; alice sees both, one per workspace.
    bob_in_beta = platform.client(dict(platform.member_settings(ALPHA, "tt-bob"), MLFLOW_WORKSPACE=BETA), SEARCH)
    assert "exp-tt-beta-workload" not in bob_in_beta.get("experiments", [])
    alice_in_beta = platform.client(platform.member_settings(BETA, "tt-alice", ALICE_PASSWORD), SEARCH)
    assert "exp-tt-beta-workload" in alice_in_beta["experiments"]
    # Alpha's S3 key reads its own bucket, not beta's.
    s3 = platform.minio.boto3(alpha["AWS_ACCESS_KEY_ID"], alpha["AWS_SECRET_ACCESS_KEY"])
    assert s3.list_objects_v2(Bucket=f"mlflow-{ALPHA}")["KeyCount"] > 0
    for call in (lambda: s3.list_objects_v2(Bucket=f"mlflow-{BETA}"),
                 lambda: s3.put_object(Bucket=f"mlflow-{BETA}", Key="x", Body=b"x"),
                 lambda: s3.create_bucket(Bucket="mlflow-tt-stolen")):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert info.value.response["Error"]["Code"] == "AccessDenied"
    assert beta["AWS_ACCESS_KEY_ID"] != alpha["AWS_ACCESS_KEY_ID"]


def test_check_mode_reports_and_changes_nothing(platform):
    before = platform.state()
    files_before = sorted(p.name for p in platform.secrets_dir.rglob("*"))
    listed = tenants(alice_in_beta=False, gamma="absent", extra=[{"name": "tt-delta", "members": [
        {"username": "tt-erin"}]}])
    result = platform.run(listed, check=True)
    assert result.rc == 0, result.output[-5000:]
    assert result.changed > 0
    assert platform.state() == before
    assert sorted(p.name for p in platform.secrets_dir.rglob("*")) == files_before
    assert not (platform.credentials_dir / "tt-delta.env").exists()


@pytest.mark.parametrize("bad, words", [
    ([{"name": "tt-Bad_Name"}], ["mlflow_tenants[4]", "name 'tt-Bad_Name'", "DNS-1123"]),
    ([{"name": "tt-epsilon", "quota": "lots", "members": [{"username": "tt-frank", "role": "owner"},
                                                          {"username": "tt-gina", "password": "tiny-pw"}]}],
     ["(tt-epsilon): quota", "members[0] (tt-frank): role 'owner'",
      "members[1] (tt-gina): password must be at least 12"]),
    ([{"name": "default"}], ["reserved by MLflow"]),
    ([{"name": "tt-alpha"}], ["is already used by mlflow_tenants[0]"]),
    ([{"name": "tt-zeta", "colour": "red"}], ["(tt-zeta): unknown key(s) colour"]),
])
def test_bad_lists_fail_before_any_change(platform, bad, words):
    before = platform.state()
    # A valid change (a new tenant) rides along: it must not happen either.
    result = platform.run(tenants(extra=[{"name": "tt-eta"}, *bad]))
    assert result.rc != 0
    for word in words:
        assert word in result.output, result.output[-3000:]
    assert "tiny-pw" not in result.output
    assert platform.state() == before


def test_interrupted_run_fails_clearly_then_completes_without_duplicates(platform, tmp_path):
    listed = tenants(extra=[{"name": "tt-theta", "members": [{"username": "tt-hank"}]}])
    # MLflow unreachable: MinIO's part happens, MLflow's fails with a clear message.
    from harness.procs import free_port

    result = platform.run(listed, more={"mlflow_tracking_url": f"http://127.0.0.1:{free_port()}"})
    assert result.rc != 0
    assert "cannot reach MLflow" in result.output
    half = platform.state()
    assert "mlflow-tt-theta" in half["buckets"] and "tt-theta" not in half["workspaces"]
    result = platform.run(listed)
    assert result.rc == 0, result.output[-5000:]
    state = platform.state()
    assert "tt-theta" in state["workspaces"]
    assert state["service_accounts"]["mlflow-tt-theta"] and len(state["service_accounts"]["mlflow-tt-theta"]) == 1
    assert dict(state["mlflow_users"])["tt-hank"] == [("tt-theta", "user")]
    theta = platform.client(platform.settings("tt-theta"), CLIENT, "exp-theta")
    assert theta["artifact_uri"].startswith("s3://mlflow-tt-theta/")


def test_removed_member_and_retired_tenant_lose_access_data_stays(platform):
    import botocore.exceptions

    gamma_env = platform.settings(GAMMA)
    dave = platform.member_settings(GAMMA, "tt-dave")
    listed = tenants(alice_in_beta=False, gamma="absent", extra=[{"name": "tt-theta", "members": [
        {"username": "tt-hank"}]}])
    result = platform.run(listed)
    assert result.rc == 0, result.output[-5000:]
    state = platform.state()
    users = dict(state["mlflow_users"])
    assert users["tt-alice"] == [(ALPHA, "admin")]  # taken off beta's list: no role in beta
    assert "tt-gamma-workload" not in users and "tt-dave" not in users  # belonged to gamma only
    assert "mlflow-tt-gamma" not in state["minio_users"] and "mlflow-tt-gamma" not in state["policies"]
    assert not (platform.credentials_dir / f"{GAMMA}.env").exists()
    assert not (platform.secrets_dir / "mlflow-user" / "tt-gamma-workload").exists()
    # Access is gone... MLflow answers a deleted user 401, or 404 ("user not found") from a server
    # process that still holds the password in its auth cache (docs/tenants.md): never data.
    for env in (gamma_env, dave):
        auth = (env["MLFLOW_TRACKING_USERNAME"], env["MLFLOW_TRACKING_PASSWORD"])
        for _ in range(3):  # both uvicorn workers
            status, _ = platform.mlflow.request("GET", "/api/2.0/mlflow/users/current", auth=auth)
            assert status in (401, 404)
            status, found = platform.mlflow.request("POST", "/api/2.0/mlflow/experiments/search", {"max_results": 10},
                                                    auth=auth, headers={"X-MLFLOW-WORKSPACE": GAMMA})
            assert status in (401, 404) and "experiments" not in found, (status, found)
    s3 = platform.minio.boto3(gamma_env["AWS_ACCESS_KEY_ID"], gamma_env["AWS_SECRET_ACCESS_KEY"])
    with pytest.raises(botocore.exceptions.ClientError):
        s3.list_objects_v2(Bucket=f"mlflow-{GAMMA}")
    # ...the data stays: the bucket with its artifacts, the workspace with its runs.
    root = platform.minio.boto3()
    assert root.list_objects_v2(Bucket=f"mlflow-{GAMMA}")["KeyCount"] > 0
    status, found = platform.mlflow.request("POST", "/api/2.0/mlflow/experiments/search", {"max_results": 10},
                                            headers={"X-MLFLOW-WORKSPACE": GAMMA})
    assert status == 200 and "exp-tt-gamma-workload" in [e["name"] for e in found.get("experiments", [])]
    # And the next run has nothing left to do.
    again = platform.run(listed)
    assert again.rc == 0 and again.changed == 0, again.output[-5000:]


def test_purge_deletes_the_retired_tenants_data(platform):
    listed = tenants(alice_in_beta=False, gamma="absent", extra=[{"name": "tt-theta", "members": [
        {"username": "tt-hank"}]}])
    listed[2]["purge"] = True
    result = platform.run(listed)
    assert result.rc == 0, result.output[-5000:]
    state = platform.state()
    assert GAMMA not in state["workspaces"] and f"mlflow-{GAMMA}" not in state["buckets"]
    assert ALPHA in state["workspaces"] and f"mlflow-{ALPHA}" in state["buckets"]
