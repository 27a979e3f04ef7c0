"""Shared steps of the container tests: the MLflow Deployment's containers as processes."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.pod_process import ContainerProcess, container_process, pick_ports, service_dns_names

NAMESPACE = "mlflow-platform"
# The image's programs, as this machine provides them (the test venv installs
# images/mlflow/requirements.txt, the packages of the MLflow image).
VENV_BIN = str(Path(sys.executable).parent)
IMAGE_PATH = f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin"
# What the tier's tests stood in for, printed at the end of the run (conftest.py).
SIMULATED_NOTES: list[str] = []
MLFLOW_EXECUTABLES = {"mlflow": str(Path(VENV_BIN, "mlflow")), "python": sys.executable, "python3": sys.executable}


def postgres_hosts(pg) -> dict:
    return {name: (pg.host, pg.port) for name in service_dns_names("postgres", NAMESPACE)}


def minio_hosts(port: int) -> dict:
    return {name: ("127.0.0.1", port) for name in service_dns_names("minio", NAMESPACE)}


@dataclass
class StepResult:
    ok: bool
    message: str


def mlflow_hosts(pg, minio_proc) -> dict:
    hosts = {}
    if pg is not None:
        hosts.update(postgres_hosts(pg))
    if minio_proc is not None:
        hosts.update(minio_hosts(minio_proc.local_port(9000)))
    return hosts


def mlflow_container(manifests, pg, minio_proc, workdir: Path, container: str | None = None,
                     init: bool = False, executables: dict | None = None, path: str = IMAGE_PATH) -> ContainerProcess:
    """One container of the MLflow Deployment, its Services mapped to the test's servers."""
    deployment = manifests.get("Deployment", "mlflow")
    spec = deployment.obj["spec"]["template"]["spec"]["containers"][0]
    ports = pick_ports([int(p["containerPort"]) for p in spec.get("ports") or []]) if not init else {}
    proc = container_process(manifests, "Deployment", "mlflow", workdir=workdir, container=container, init=init,
                             service_hosts=mlflow_hosts(pg, minio_proc), ports=ports,
                             executables=executables or MLFLOW_EXECUTABLES, image_env={"PATH": path},
                             # The auth ini in the ConfigMap names the database Service.
                             rewrite_mounted_files=True)
    if not init and "MLFLOW_UVICORN_OPTS" not in proc.env:
        # Not in the manifest: uvicorn kills a worker that misses its 5 s health check, and on
        # these shared 2-core machines (load 15 while the control plane builds) importing
        # MLflow starves it for minutes. A longer check only changes when a hung worker is killed.
        proc.env["MLFLOW_UVICORN_OPTS"] = "--timeout-worker-healthcheck 120"
        proc.rewrites.append("env MLFLOW_UVICORN_OPTS='--timeout-worker-healthcheck 120' added (machine load)")
    return proc


def run_migrations(manifests, pg, workdir: Path, executables: dict | None = None) -> list[StepResult]:
    """Run the Deployment's initContainers in order, as the kubelet does before the server starts."""
    deployment = manifests.get("Deployment", "mlflow")
    results = []
    for init in deployment.obj["spec"]["template"]["spec"].get("initContainers") or []:
        proc = mlflow_container(manifests, pg, None, workdir / init["name"], container=init["name"], init=True,
                                executables=executables)
        done = proc.run(timeout=300)
        results.append(StepResult(done.returncode == 0,
                                  f"{proc.source}: exit {done.returncode}\n{done.stdout[-1500:]}\n"
                                  f"{done.stderr[-3000:]}"))
        if done.returncode != 0:
            break
    return results



def minio_process(manifests, workdir: Path) -> ContainerProcess:
    """The MinIO StatefulSet's container (pod minio-0) with the binary the harness built: the
    image's ENTRYPOINT runs `minio "$@"`. A distributed render names its peers
    `minio-{0...2}.minio-headless...` in the last argument; cluster DNS for peer pods cannot be
    given to one local process, so pod minio-0 runs as an erasure set of its own drives, with
    MINIO_CI_CD=1 because they share one disk here (both said in `proc.rewrites`)."""
    from harness.minio_server import minio_binary

    sts = manifests.get("StatefulSet", "minio")
    container = sts.obj["spec"]["template"]["spec"]["containers"][0]
    ports = pick_ports([int(p["containerPort"]) for p in container["ports"]])
    proc = container_process(manifests, "StatefulSet", "minio", workdir=workdir, ports=ports,
                             executables={"minio": str(minio_binary())}, entrypoint=["minio"],
                             image_env={"PATH": "/usr/bin:/bin"})
    last = proc.argv[-1]
    if last.startswith("http"):
        drives = "/" + last.split("/", 3)[3]  # /data/drive-{0...1}
        proc.argv[-1] = str(proc.root) + drives
        proc.rewrites.append(f"argv[-1]: {last!r} -> {proc.argv[-1]!r} (distributed peers substituted by "
                             "pod minio-0's own drives)")
        proc.env["MINIO_CI_CD"] = "1"
        proc.rewrites.append("env MINIO_CI_CD=1 added (the drives share one disk here)")
    return proc


def gateway_process(manifests, minio_proc, workdir: Path) -> ContainerProcess:
    """The S3 gateway's container (Deployment minio-gateway) with Debian's nginx build, its
    upstream (the MinIO Service) mapped to `minio_proc`. nginx takes its listen port from the
    mounted configuration only, so that line is rewritten to a free loopback port (said in
    `proc.rewrites`)."""
    from harness.nginx import nginx_binary

    ports = pick_ports([8080])
    proc = container_process(manifests, "Deployment", "minio-gateway", workdir=workdir, ports=ports,
                             service_hosts=minio_hosts(minio_proc.local_port(9000)),
                             executables={"nginx": str(nginx_binary())}, image_env={"PATH": "/usr/sbin:/usr/bin:/bin"},
                             rewrite_mounted_files=True)
    conf = proc.root / "etc" / "minio-gateway" / "nginx.conf"
    text = conf.read_text()
    if "listen 8080;" not in text:
        raise AssertionError(f"{proc.source}: nginx.conf has no 'listen 8080;' line")
    conf.chmod(0o644)
    conf.write_text(text.replace("listen 8080;", f"listen 127.0.0.1:{ports[8080]};"))
    proc.rewrites.append(f"mounted nginx.conf: 'listen 8080;' -> 'listen 127.0.0.1:{ports[8080]};'")
    return proc


@contextlib.contextmanager
def running(proc: ContainerProcess, log: Path, probe: str = "startup", timeout: float | None = None):
    """The container's process, started and past its `probe`, for the block; stopped after it."""
    server = proc.start(log)
    try:
        proc.wait_probe(probe, server, timeout=timeout)
        yield server
    finally:
        server.stop()
