"""Database migrations of the MLflow Deployment, run as the kubelet runs them: the two
initContainers (`mlflow db upgrade` for the tracking store, `python -m mlflow.server.auth db
upgrade` for the auth store) before the server container, against real PostgreSQL.

- twice on the same databases: the second start migrates nothing and serves the same data;
- after MLflow 3.16.1 (the previous minor release, from PyPI) created both databases: the
  initContainers move both schemas to this release's heads, and the server then serves the
  old data with the old admin.
"""

from __future__ import annotations

import base64
import os
import subprocess

import pytest
from containers_helpers import mlflow_container, run_migrations
from harness.old_mlflow import OLD_MLFLOW_VERSION, old_mlflow_bin
from harness.pod_process import resolve_to_loopback


def _admin(rendered) -> tuple[str, str]:
    data = rendered.get("Secret", "mlflow-auth").obj["data"]
    return base64.b64decode(data["admin-username"]).decode(), base64.b64decode(data["admin-password"]).decode()


def _heads_of_this_release() -> tuple[str, str]:
    """The alembic heads of the tracking and auth stores of the MLflow the image ships."""
    from alembic.script import ScriptDirectory
    from mlflow.server.auth.db import migrations as auth_migrations
    from mlflow.store import db_migrations

    return tuple(ScriptDirectory(os.path.dirname(mod.__file__)).get_current_head()
                 for mod in (db_migrations, auth_migrations))


def _reset_databases(pg):
    for name in ("mlflow", "mlflow_auth"):
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}" OWNER mlflow')


def _alembic(pg, db: str, table: str) -> str:
    return pg.execute(f"SELECT version_num FROM {table}", dbname=db)[0][0]  # noqa: S608 - fixed table names


def _start(proc, log):
    server = proc.start(log)
    proc.wait_probe("startup", server)
    return server


def _get(proc, rendered, path: str):
    import requests

    hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", proc.local_port("http"))}
    prefix = proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]
    with resolve_to_loopback(hosts):
        return requests.get(f"http://mlflow.mlflow-platform.svc:5000{prefix}{path}", auth=_admin(rendered),
                            timeout=120)


def test_mlflow_container_started_twice_on_the_same_databases(rendered, bootstrapped_postgres, platform_minio,
                                                              tmp_path):
    pg = bootstrapped_postgres
    _reset_databases(pg)
    heads = []
    for attempt in (1, 2):
        for result in run_migrations(rendered, pg, tmp_path / f"init{attempt}"):
            assert result.ok, result.message
        heads.append((_alembic(pg, "mlflow", "alembic_version"), _alembic(pg, "mlflow_auth", "alembic_version_auth")))
        proc = mlflow_container(rendered, pg, platform_minio[0], tmp_path / f"main{attempt}")
        server = _start(proc, tmp_path / f"mlflow{attempt}.log")
        try:
            if attempt == 1:
                import requests

                hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", proc.local_port("http"))}
                prefix = proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]
                with resolve_to_loopback(hosts):
                    resp = requests.post(f"http://mlflow.mlflow-platform.svc:5000{prefix}/api/3.0/mlflow/workspaces",
                                         json={"name": "survives-restart"}, auth=_admin(rendered), timeout=120)
                assert resp.status_code in (200, 201), f"{proc.source}: {resp.text}"
            else:
                resp = _get(proc, rendered, "/api/3.0/mlflow/workspaces/survives-restart")
                assert resp.status_code == 200, f"{proc.source}: second start lost the workspace: {resp.text}"
        finally:
            server.stop()
    assert heads[0] == heads[1], "a second run of the initContainers changed the schema versions"


def _old_mlflow_creates(pg, rendered, workdir, bin_dir):
    """MLflow 3.16.1 serves the same rendered Deployment (its own migrations, its own server)
    once: it creates both databases, the admin, a workspace and an experiment."""
    old_exec = {"mlflow": str(bin_dir / "mlflow"), "python": str(bin_dir / "python"),
                "python3": str(bin_dir / "python")}
    path = f"{bin_dir}:/usr/bin:/bin"
    for result in run_migrations(rendered, pg, workdir / "old-init", executables=old_exec):
        assert result.ok, result.message
    proc = mlflow_container(rendered, pg, None, workdir / "old-main", executables=old_exec, path=path)
    server = proc.start(workdir / "old.log")
    # Not the kubelet-style probe: MLflow 3.16 exempts only the bare /health from the Host
    # check, so under --static-prefix it rejects the probe's Host (the pod IP, not in
    # --allowed-hosts); 3.17 exempts the prefixed path. Wait with an allowed Host instead.
    prefix = proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]
    server.wait_http(f"http://127.0.0.1:{proc.local_port('http')}{prefix}/health", headers={"Host": "localhost"},
                     timeout=proc.probe_budget("startup"))
    try:
        import requests

        hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", proc.local_port("http"))}
        base = f"http://mlflow.mlflow-platform.svc:5000{prefix}"
        with resolve_to_loopback(hosts):
            assert requests.post(f"{base}/api/3.0/mlflow/workspaces", json={"name": "from-old"},
                                 auth=_admin(rendered), timeout=120).status_code in (200, 201)
            resp = requests.post(f"{base}/api/2.0/mlflow/experiments/create", json={"name": "old-experiment"},
                                 headers={"X-MLFLOW-WORKSPACE": "from-old"}, auth=_admin(rendered), timeout=120)
            assert resp.status_code == 200, resp.text
    finally:
        server.stop()


def test_mlflow_migrates_databases_created_by_the_previous_minor_release(rendered, bootstrapped_postgres,
                                                                         platform_minio, tmp_path):
    pg = bootstrapped_postgres
    try:
        bin_dir = old_mlflow_bin()
    except RuntimeError as exc:
        pytest.skip(f"MLflow {OLD_MLFLOW_VERSION} could not be installed from PyPI: {exc}")
    version = subprocess.run([str(bin_dir / "python"), "-c", "import mlflow; print(mlflow.__version__)"],
                             capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": ""})
    assert version.stdout.strip() == OLD_MLFLOW_VERSION
    _reset_databases(pg)
    _old_mlflow_creates(pg, rendered, tmp_path, bin_dir)
    old_heads = (_alembic(pg, "mlflow", "alembic_version"), _alembic(pg, "mlflow_auth", "alembic_version_auth"))

    # What a new server does on an old schema without the initContainers is not asserted: seen
    # here, 3.17.2 still answered tracking requests, so MLflow itself does not stop a pod that
    # skipped its migrations, and the initContainers are the only guard.
    for result in run_migrations(rendered, pg, tmp_path / "new-init"):
        assert result.ok, result.message
    new_heads = (_alembic(pg, "mlflow", "alembic_version"), _alembic(pg, "mlflow_auth", "alembic_version_auth"))
    assert new_heads[0] != old_heads[0], f"tracking schema {old_heads[0]} was not migrated"
    assert new_heads == _heads_of_this_release(), "the initContainers left a schema short of this release's head"
    proc = mlflow_container(rendered, pg, platform_minio[0], tmp_path / "new-main")
    server = _start(proc, tmp_path / "new.log")
    try:
        resp = _get(proc, rendered, "/api/3.0/mlflow/workspaces/from-old")
        assert resp.status_code == 200, f"{proc.source}: the old workspace is gone: {resp.text}"
        import requests

        hosts = {"mlflow.mlflow-platform.svc": ("127.0.0.1", proc.local_port("http"))}
        prefix = proc.probe_spec("readiness")["httpGet"]["path"].rsplit("/health", 1)[0]
        with resolve_to_loopback(hosts):
            exp = requests.get(f"http://mlflow.mlflow-platform.svc:5000{prefix}/api/2.0/mlflow/experiments/get-by-name",
                               params={"experiment_name": "old-experiment"}, headers={"X-MLFLOW-WORKSPACE": "from-old"},
                               auth=_admin(rendered), timeout=120)
        assert exp.status_code == 200, f"{proc.source}: the old experiment is gone: {exp.text}"
    finally:
        server.stop()
    print(f"{proc.source}: tracking {old_heads[0]} -> {new_heads[0]}, auth {old_heads[1]} -> {new_heads[1]}")
