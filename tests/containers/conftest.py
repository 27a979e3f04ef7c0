"""Fixtures of the container tier: the platform rendered once (example inventory, render mode),
a private PostgreSQL with the platform's bootstrap Job run against it, and MinIO.

The render runs `playbooks/site.yml` with `inventories/example` plus `localhost,` and
`--limit localhost`: the example's node hosts are documentation addresses (192.0.2.x) that a
test must never contact, and the second play (the cluster objects) runs on localhost only.
ONPREM_MLFLOW_RENDERED=<dir> reuses a render made earlier the same way (a debugging aid).
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest
from containers_helpers import (
    IMAGE_PATH,
    SIMULATED_NOTES,
    minio_hosts,
    minio_process,
    mlflow_container,
    postgres_hosts,
    run_migrations,
    running,
)
from harness import postgres as pg_harness
from harness.playbook import ROOT, run_playbook
from harness.pod_process import Manifests, container_process


@pytest.fixture(scope="session")
def rendered():
    """The platform rendered with the example inventory: a Manifests of the render directory."""
    reuse = os.environ.get("ONPREM_MLFLOW_RENDERED")
    if reuse:  # debugging aid: a render directory made earlier by the same command
        yield Manifests(reuse)
        return
    if not (ROOT / "playbooks" / "site.yml").exists():
        pytest.skip("playbooks/site.yml is not there yet: nothing to render")
    tmp = Path(tempfile.mkdtemp(prefix="onprem-mlflow-render-"))
    result = run_playbook(ROOT / "playbooks" / "site.yml", inventory=ROOT / "inventories" / "example",
                          extra_vars={"platform_render_dir": str(tmp / "render"),
                                      "platform_secrets_dir": str(tmp / "secrets")},
                          args=["-i", "localhost,", "--limit", "localhost"],
                          env={"K8S_AUTH_KUBECONFIG": "", "K8S_AUTH_CONTEXT": "",
                               "ANSIBLE_PYTHON_INTERPRETER": sys.executable})
    assert result.rc == 0, f"render of inventories/example failed:\n{result.output[-4000:]}"
    try:
        yield Manifests(tmp / "render")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@pytest.fixture(scope="session")
def platform_postgres(rendered):
    """A private PostgreSQL for the container tests, bootstrapped by the platform's own Job.

    It listens on the Service's port (5432) when that is free on loopback, so that the
    Job's separate PGPORT needs no rewriting; otherwise the test says so and maps it.
    """
    service_port = int(rendered.get("Service", "postgres").obj["spec"]["ports"][0]["port"])
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-containers-pg-"))
    os.chmod(workdir, 0o755)  # noqa: S103 - the postgres user must enter it
    original = pg_harness.free_port
    if _port_free(service_port):
        pg_harness.free_port = lambda: service_port
    try:
        pg = pg_harness.start_postgres(workdir)
    finally:
        pg_harness.free_port = original
    try:
        yield pg
    finally:
        pg._server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run_postgres_bootstrap(rendered, pg, workdir: Path) -> str:
    """Run the postgres bootstrap Job's container (pg_isready + psql bootstrap.sql) to completion."""
    job = next(j for j in rendered.find("Job") if j.name.startswith("postgres-bootstrap"))
    proc = container_process(rendered, "Job", job.name, workdir=workdir, service_hosts=postgres_hosts(pg),
                             image_env={"PATH": IMAGE_PATH})
    if pg.port != 5432:
        # The Job gives the port separately (PGPORT): the one rewrite beyond the host mapping.
        proc.env["PGPORT"] = str(pg.port)
        proc.rewrites.append(f"env PGPORT: '5432' -> '{pg.port}' (5432 was taken on loopback)")
    done = proc.run(timeout=120)
    assert done.returncode == 0, f"{proc.describe()}\nexit {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return proc.source


@pytest.fixture(scope="session")
def bootstrapped_postgres(rendered, platform_postgres, tmp_path_factory):
    """PostgreSQL after the platform's bootstrap Job: the app user and both MLflow databases."""
    source = run_postgres_bootstrap(rendered, platform_postgres, tmp_path_factory.mktemp("pg-bootstrap"))
    platform_postgres.bootstrap_source = source
    return platform_postgres


@pytest.fixture(scope="session")
def platform_minio(rendered, tmp_path_factory):
    """The MinIO StatefulSet's container (pod minio-0) run with the binary the harness built.

    The image's ENTRYPOINT (docker-entrypoint.sh) runs `minio "$@"`: the entrypoint here is
    that binary. Substituted, and said so in `proc.rewrites`: the example inventory renders
    distributed MinIO, whose last argument names the peers `minio-{0...2}.minio-headless...`;
    cluster DNS for peer pods cannot be given to one local process, so pod minio-0 runs as an
    erasure set of its own two drives (`/data/drive-{0...1}` under its mount root), and with
    MINIO_CI_CD=1 because those drives share one disk here.
    """
    workdir = tmp_path_factory.mktemp("minio-0")
    proc = minio_process(rendered, workdir)
    with running(proc, workdir / "minio.log") as server:
        yield proc, server


@pytest.fixture(scope="session")
def bootstrapped_minio(rendered, platform_minio, tmp_path_factory):
    """MinIO after the platform's bootstrap Job, run with the real `mc` (built from its Go module)."""
    from harness.minio_server import mc_binary

    proc, _server = platform_minio
    mc = mc_binary()
    job = next(j for j in rendered.find("Job") if j.name.startswith("minio-bootstrap"))
    boot = container_process(rendered, "Job", job.name, workdir=tmp_path_factory.mktemp("minio-bootstrap"),
                             service_hosts=minio_hosts(proc.local_port(9000)),
                             image_env={"PATH": f"{mc.parent}:/usr/bin:/bin"}, rewrite_mounted_files=True)
    done = boot.run(timeout=300)
    assert done.returncode == 0, f"{boot.describe()}\nexit {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return boot


@pytest.fixture(scope="session")
def mlflow_pod(rendered, bootstrapped_postgres, bootstrapped_minio, platform_minio, tmp_path_factory):
    """The MLflow Deployment's pod: its two migration initContainers, then the server, against
    the bootstrapped PostgreSQL and MinIO. (The migrations module later replaces the databases
    under it: the tests that use this pod run before it.)"""
    workdir = tmp_path_factory.mktemp("mlflow-pod")
    for result in run_migrations(rendered, bootstrapped_postgres, workdir):
        assert result.ok, result.message
    proc = mlflow_container(rendered, bootstrapped_postgres, platform_minio[0], workdir / "main")
    with running(proc, workdir / "mlflow.log") as server:
        yield proc, server


def pytest_terminal_summary(terminalreporter):
    for note in SIMULATED_NOTES:
        terminalreporter.write_line(f"Simulated: {note}")
