"""The rendered bootstrap steps run for real: the PostgreSQL bootstrap Job's SQL and MLflow's
migration init containers, against a real PostgreSQL server (the harness's, on loopback).

What a container would run is taken from the rendered manifests (ConfigMap data, command lines
with their $(VAR) references expanded from the rendered env), with only the host and port
pointed at the test server."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness.postgres import pg_bindir

# The tests that take `rendering` take the local one (the external-PostgreSQL test renders its own).
LOCAL = pytest.mark.parametrize("rendering", ["local"], indirect=True)

APP_PASSWORD = "app-password-for-tests-1"  # noqa: S105 - the test sets it, nothing real


def psql() -> str:
    candidate = pg_bindir() / "psql"
    return str(candidate) if candidate.exists() else (shutil.which("psql") or "psql")


def configmap(rendering, name):
    (found,) = [c for c in rendering.of_kind("ConfigMap") if c["metadata"]["name"] == name]
    return found["data"]


def job_env(rendering, prefix):
    (job,) = [j for j in rendering.of_kind("Job") if j["metadata"]["name"].startswith(prefix)]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return container, {e["name"]: e.get("value") for e in container["env"]}


def run_bootstrap(rendering, postgres, tmp_path):
    data = configmap(rendering, "postgres-bootstrap")
    for name, content in data.items():
        (tmp_path / name).write_text(content + "\n")
    container, env = job_env(rendering, "postgres-bootstrap-")
    assert container["command"] == ["/bin/sh", "/bootstrap/bootstrap.sh"]
    run_env = {**os.environ, **{k: v for k, v in env.items() if v is not None},
               "PGHOST": postgres.host, "PGPORT": str(postgres.port), "PGUSER": postgres.superuser,
               "APP_PASSWORD": APP_PASSWORD, "PATH": f"{pg_bindir()}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["/bin/sh", str(tmp_path / "bootstrap.sh")], env=run_env, capture_output=True,
                          text=True, timeout=120), env


@LOCAL
def test_bootstrap_creates_user_and_databases_idempotently(rendering, postgres, tmp_path):
    first, env = run_bootstrap(rendering, postgres, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "CREATE ROLE" in first.stdout and first.stdout.count("CREATE DATABASE") == 2
    second, _ = run_bootstrap(rendering, postgres, tmp_path)
    assert second.returncode == 0, second.stderr
    assert "CREATE" not in second.stdout.replace("CREATE ROLE", "X") or "CREATE DATABASE" not in second.stdout
    assert APP_PASSWORD not in first.stdout + first.stderr + second.stdout + second.stderr
    user = env["APP_USER"]
    ((superuser, createdb, createrole),) = postgres.execute(
        f"SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = '{user}'")  # noqa: S608
    assert (superuser, createdb, createrole) == (False, False, False)
    owners = dict(postgres.execute("SELECT datname, pg_get_userbyid(datdba) FROM pg_database"))
    assert owners[env["TRACKING_DB"]] == user and owners[env["AUTH_DB"]] == user


def expand(arg: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], arg)


def secret_values(rendering) -> dict[tuple[str, str], str]:
    return {(secret["metadata"]["name"], key): base64.b64decode(value).decode()
            for secret in rendering.of_kind("Secret") for key, value in (secret.get("data") or {}).items()}


def run_init_containers(rendering, postgres, tmp_path, only=None, secrets=None) -> dict[str, str]:
    """Every init container of the MLflow Deployment, in order, as local processes: the rendered
    env (Secret references resolved from the rendered Secrets, or `secrets`), the ConfigMap
    mounted at /etc/mlflow, the database Service pointed at the test server; `only` names the
    ones to run, `secrets` adds Secrets that are not rendered ((name, key) -> value). Returns the
    output of each, by container name."""
    (deployment,) = [d for d in rendering.of_kind("Deployment") if d["metadata"]["name"] == "mlflow"]
    init = deployment["spec"]["template"]["spec"]["initContainers"]
    secrets = {**secret_values(rendering), **(secrets or {})}
    etc = tmp_path / "etc-mlflow"
    etc.mkdir(exist_ok=True)
    for name, content in configmap(rendering, "mlflow-auth-config").items():
        (etc / name).write_text(content)
    mlflow_bin = Path(sys.executable).with_name("mlflow")
    outputs = {}
    for container in init:
        if only and container["name"] not in only:
            continue
        values = {e["name"]: e["value"] if "value" in e else
                  secrets[(e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])]
                  for e in container["env"]}
        # The Service name becomes the test server's address; nothing else changes.
        values = {k: re.sub(r"@[^/]+/", f"@{postgres.host}:{postgres.port}/", v) for k, v in values.items()}
        argv = [expand(a, values).replace("/etc/mlflow/", f"{etc}/") for a in container["command"]]
        argv[0] = str(mlflow_bin) if argv[0] == "mlflow" else sys.executable if argv[0] == "python" else argv[0]
        run_env = {**os.environ, **values, "PGPASSWORD": APP_PASSWORD}
        done = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{container['name']}: {done.stderr[-3000:]}"
        outputs[container["name"]] = done.stdout
    return outputs


@LOCAL
def test_migration_init_containers_upgrade_both_databases(rendering, postgres, tmp_path):
    first, env = run_bootstrap(rendering, postgres, tmp_path)
    assert first.returncode == 0, first.stderr
    outputs = run_init_containers(rendering, postgres, tmp_path)
    assert "does not exist yet" in outputs["set-admin-password"]  # no server has created the admin yet
    # A second pod start finds the schemas current: the migrations still succeed.
    run_init_containers(rendering, postgres, tmp_path, only=["migrate-tracking-db", "migrate-auth-db"])
    tables = postgres.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                              dbname=env["TRACKING_DB"])
    assert tables[0][0] > 20
    auth_tables = {row[0] for row in postgres.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", dbname=env["AUTH_DB"])}
    assert "users" in auth_tables
    owners = {row[0] for row in postgres.execute(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'", dbname=env["AUTH_DB"])}
    assert owners == {env["APP_USER"]}


AUTH_CHECK = """
import os, sys
from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore
store = SqlAlchemyStore()
store.init_db(os.environ["URI"])
if sys.argv[1] == "create":
    store.create_user(os.environ["NAME"], os.environ["OLD"], is_admin=False)
else:
    user = store.get_user(os.environ["NAME"])
    print(store.authenticate_user(os.environ["NAME"], os.environ["OLD"]),
          store.authenticate_user(os.environ["NAME"], os.environ["NEW"]), user.is_admin)
"""


@LOCAL
def test_a_changed_admin_password_is_set_at_the_next_pod_start_and_the_old_one_refused(
        rendering, postgres, tmp_path):
    """Issue 16: MLflow sets the admin's password only when it creates the admin. The admin exists
    with an earlier password (and even lost its admin flag); the pods' init containers, started
    with the Secret's current password as after a change of mlflow_admin_password, make the
    Secret's the one that works, and the old one is refused, on the real auth database."""
    first, env = run_bootstrap(rendering, postgres, tmp_path)
    assert first.returncode == 0, first.stderr
    secrets = secret_values(rendering)
    admin, new = secrets[("mlflow-auth", "admin-username")], secrets[("mlflow-auth", "admin-password")]
    uri = f"postgresql+psycopg2://{env['APP_USER']}@{postgres.host}:{postgres.port}/{env['AUTH_DB']}"
    check_env = {**os.environ, "PGPASSWORD": APP_PASSWORD, "URI": uri, "NAME": admin,
                 "OLD": "the-earlier-admin-password", "NEW": new}
    # The auth schema at head (init_db migrates), and the admin with its earlier password.
    created = subprocess.run([sys.executable, "-c", AUTH_CHECK, "create"], env=check_env, capture_output=True,
                             text=True, timeout=300)
    assert created.returncode == 0, created.stderr[-3000:]

    outputs = run_init_containers(rendering, postgres, tmp_path, only=["set-admin-password"])
    assert "password set to the Secret's" in outputs["set-admin-password"]
    assert new not in "".join(outputs.values())  # never printed
    checked = subprocess.run([sys.executable, "-c", AUTH_CHECK, "check"], env=check_env, capture_output=True,
                             text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert checked.stdout.split() == ["False", "True", "True"]  # old refused, new accepted, admin again
    # The next start finds nothing to do.
    again = run_init_containers(rendering, postgres, tmp_path, only=["set-admin-password"])
    assert "already as in the Secret" in again["set-admin-password"]


EXTERNAL = {"postgres_external_host": "db.lab.internal", "postgres_port": 6432,
            "postgres_external_secret": "lab-postgres", "postgres_external_sslmode": "prefer",
            "postgres_app_user": "ext_mlflow", "postgres_tracking_database": "ext_tracking",
            "postgres_auth_database": "ext_auth"}


def test_a_site_postgresql_is_used_and_none_is_rendered(postgres, tmp_path):
    """Issue 16, bring your own PostgreSQL: with postgres_external_host the platform renders no
    PostgreSQL (no StatefulSet, volume, Service, NetworkPolicy, bootstrap Job, Secret, node
    label), MLflow's URIs name the site's server and its password comes from the site's Secret;
    MLflow's init containers then migrate both databases on a real server a DBA prepared (the
    harness's PostgreSQL stands in for it)."""
    from platform_rendering import ROOT, Rendering, render, snapshot

    render_dir, secrets_dir, result = render("inventories/example", EXTERNAL, tmp_path / "render")
    assert result.rc == 0, result.output[-4000:]
    assert "PostgreSQL is the one at db.lab.internal:6432" in result.output
    external = Rendering("example-external", ROOT / "inventories/example", render_dir, secrets_dir, result, None,
                         snapshot(render_dir), EXTERNAL)
    objects = [obj for _, obj in external.objects()]
    named_postgres = [f"{o['kind']}/{o['metadata']['name']}" for o in objects if "postgres" in o["metadata"]["name"]]
    assert named_postgres == [], named_postgres
    assert not (render_dir / "postgres").exists()
    assert "/postgres=" not in (render_dir / "label-nodes.sh").read_text()
    (deployment,) = [d for d in external.of_kind("Deployment") if d["metadata"]["name"] == "mlflow"]
    pod = deployment["spec"]["template"]["spec"]
    for container in pod["initContainers"] + pod["containers"]:
        env = {e["name"]: e for e in container["env"]}
        assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "lab-postgres", "key": "password"}
        for name in ("MLFLOW_BACKEND_STORE_URI", "MLFLOW_AUTH_DATABASE_URI"):
            if name in env:
                assert env[name]["value"].startswith("postgresql+psycopg2://ext_mlflow@db.lab.internal:6432/ext_")
                assert env[name]["value"].endswith("?sslmode=prefer")

    # What the site's DBA did: the user and its two databases (bootstrap.sql is the recipe).
    postgres.execute("DROP DATABASE IF EXISTS ext_tracking WITH (FORCE)")
    postgres.execute("DROP DATABASE IF EXISTS ext_auth WITH (FORCE)")
    postgres.execute("DROP ROLE IF EXISTS ext_mlflow")
    postgres.execute(f"CREATE ROLE ext_mlflow LOGIN PASSWORD '{APP_PASSWORD}'")
    postgres.execute("CREATE DATABASE ext_tracking OWNER ext_mlflow")
    postgres.execute("CREATE DATABASE ext_auth OWNER ext_mlflow")
    site_secret = {("lab-postgres", "password"): APP_PASSWORD}
    # The migrations (set-admin-password reads the same URI and Secret; the local test runs it).
    outputs = run_init_containers(external, postgres, tmp_path, secrets=site_secret,
                                  only=["migrate-tracking-db", "migrate-auth-db"])
    assert set(outputs) == {"migrate-tracking-db", "migrate-auth-db"}
    tables = postgres.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'ext_mlflow'",
        dbname="ext_tracking")
    assert tables[0][0] > 20
    assert postgres.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'users'", dbname="ext_auth")[0][0] == 1
