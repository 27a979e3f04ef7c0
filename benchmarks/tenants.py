#!/usr/bin/env python3
"""How long playbooks/tenants.yml takes at scale, and how many API requests it makes.

    .venv/bin/python benchmarks/tenants.py --tenants 200 --naive-tenants 10

Starts the test harness's real servers on loopback (PostgreSQL, MLflow with basic-auth,
workspaces and the auth cache as the platform configures it, MinIO built from source), then:

1. converges N tenants with two members each (one with a password from the inventory, one with
   a generated password) with playbooks/tenants.yml: the first run, then a no-op re-run;
2. does the same for a smaller number of tenants the naive way, one module call per object
   (the single-object modules in an Ansible loop), and extrapolates that linearly to N
   (labelled as such).

Requests are counted on the servers' side of the wire: MLflow's own access log (one line per
request) and a counting HTTP proxy on loopback in front of MinIO (the playbook is pointed at the
proxy; requests pass through unchanged, so their signatures stay valid). The clock is wall time
of the whole ansible-playbook process. Prints a Markdown table; --markdown FILE writes it too.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness.minio_server import start_minio  # noqa: E402
from harness.mlflow_server import start_mlflow  # noqa: E402
from harness.postgres import start_postgres  # noqa: E402
from harness.procs import LOOPBACK, Server  # noqa: E402

ACCESS_LINE = re.compile(r'"(GET|POST|PUT|PATCH|DELETE|HEAD) \S+ HTTP/1\.[01]" \d{3}')

NAIVE_PLAYBOOK = """
- name: The naive way, one module call per object
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    onprem.mlflow.minio_bucket: &minio
      endpoint_url: "{{ minio_endpoint_url }}"
      login_access_key: "{{ minio_root_user }}"
      login_secret_key: "{{ minio_root_password }}"
    onprem.mlflow.minio_policy: *minio
    onprem.mlflow.minio_user: *minio
    onprem.mlflow.minio_service_account: *minio
    onprem.mlflow.mlflow_user: &mlflow
      tracking_uri: "{{ mlflow_tracking_url }}"
      admin_username: "{{ mlflow_admin_username }}"
      admin_password: "{{ mlflow_admin_password }}"
    onprem.mlflow.mlflow_workspace: *mlflow
    onprem.mlflow.mlflow_workspace_member: *mlflow
  tasks:
    - name: Bucket
      onprem.mlflow.minio_bucket:
        name: "naive-{{ item.name }}"
      loop: "{{ naive_tenants }}"
    - name: Policy
      onprem.mlflow.minio_policy:
        name: "naive-{{ item.name }}"
        policy: "{{ ('naive-' ~ item.name) | onprem.mlflow.minio_bucket_policy }}"
      loop: "{{ naive_tenants }}"
    - name: MinIO user
      onprem.mlflow.minio_user:
        access_key: "naive-{{ item.name }}"
        secret_key: "{{ item.secret }}"
        policies: ["naive-{{ item.name }}"]
      loop: "{{ naive_tenants }}"
      no_log: true
    - name: Service account
      onprem.mlflow.minio_service_account:
        access_key: "{{ item.sa }}"
        secret_key: "{{ item.secret }}"
        user: "naive-{{ item.name }}"
      loop: "{{ naive_tenants }}"
      no_log: true
    - name: MLflow users
      onprem.mlflow.mlflow_user:
        username: "{{ item.1.username }}"
        password: "{{ item.1.password }}"
      loop: "{{ naive_tenants | subelements('users') }}"
      no_log: true
    - name: Workspace
      onprem.mlflow.mlflow_workspace:
        name: "{{ item.name }}"
        default_artifact_root: "s3://naive-{{ item.name }}/mlflow"
      loop: "{{ naive_tenants }}"
    - name: Memberships
      onprem.mlflow.mlflow_workspace_member:
        workspace: "{{ item.0.name }}"
        username: "{{ item.1.username }}"
        role: "{{ item.1.role | default('user') }}"
      loop: "{{ naive_tenants | subelements('users') }}"
      no_log: true
"""


class CountingProxy:
    """An HTTP/1.1 proxy on loopback that forwards every request unchanged and counts it."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.count = 0
        lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                with lock:
                    proxy.count += 1
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=300)
                try:
                    # The Host header stays as the client signed it.
                    conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                    for key, value in self.headers.items():
                        conn.putheader(key, value)
                    conn.endheaders(body)
                    resp = conn.getresponse()
                    data = resp.read()
                    self.send_response_only(resp.status, resp.reason)
                    for key, value in resp.getheaders():
                        if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = _forward

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def patient_servers(minimum: float = 600) -> None:
    """Give the harness's servers up to `minimum` seconds to answer: on a busy 2-core machine,
    MLflow's uvicorn workers can take minutes to import. (Benchmark only; tests keep their limits.)"""
    wait_http = Server.wait_http

    def wait(self, url, timeout=60, **kwargs):
        return wait_http(self, url, timeout=max(timeout, minimum), **kwargs)

    Server.wait_http = wait


def mlflow_requests(log_path: Path) -> int:
    return sum(1 for line in log_path.read_text(errors="replace").splitlines() if ACCESS_LINE.search(line))


def tenant_list(count: int, prefix: str) -> list[dict]:
    return [{"name": f"{prefix}{i:04d}", "members": [
        {"username": f"{prefix}{i:04d}-lead", "role": "admin", "password": f"lead-password-{i:06d}"},
        {"username": f"{prefix}{i:04d}-dev"}]} for i in range(count)]


def run(argv: list[str], extra: dict, workdir: Path) -> tuple[float, str, int]:
    vars_file = workdir / "vars.json"
    vars_file.write_text(json.dumps(extra))
    vars_file.chmod(0o600)
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    start = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", "-c", "local",
                           *argv, "-e", f"@{vars_file}"], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit("ansible-playbook failed:\n" + output[-4000:])
    changed = sum(int(m) for m in re.findall(r"changed=(\d+)", output.rsplit("PLAY RECAP", 1)[-1]))
    return elapsed, output, changed


def measure(label: str, argv: list[str], extra: dict, workdir: Path, mlflow_log: Path, proxy: CountingProxy) -> dict:
    before_mlflow, before_minio = mlflow_requests(mlflow_log), proxy.count
    elapsed, output, changed = run(argv, extra, workdir)
    # The slowest tasks, from the profile_tasks callback.
    slowest = [line for line in output.rsplit("TASKS RECAP", 1)[-1].splitlines() if line.rstrip().endswith("s")][:5]
    row = {"run": label, "seconds": elapsed, "mlflow_requests": mlflow_requests(mlflow_log) - before_mlflow,
           "minio_requests": proxy.count - before_minio, "changed": changed}
    print("%-45s %8.1f s  MLflow %6d  MinIO %6d  changed=%d" % (label, elapsed, row["mlflow_requests"],
                                                                  row["minio_requests"], changed), flush=True)
    for line in slowest:
        print("    " + line.strip(), flush=True)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=200, help="tenants for the role (default 200)")
    parser.add_argument("--naive-tenants", type=int, default=10, help="tenants for the naive way (0 skips it)")
    parser.add_argument("--markdown", type=Path, help="also write the result table to this file")
    args = parser.parse_args()

    load_before = os.getloadavg()
    patient_servers()
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-bench-"))
    os.chmod(workdir, 0o755)  # noqa: S103 - PostgreSQL runs as its own user below it
    (workdir / "pg").mkdir()
    os.chmod(workdir / "pg", 0o755)  # noqa: S103
    pg = start_postgres(workdir / "pg")
    started = [pg._server]
    try:
        mlflow = start_mlflow(pg, "bench", auth_cache_ttl=600)
        started.append(mlflow)
        (workdir / "minio").mkdir()
        minio, minio_proc = start_minio(workdir / "minio")
        started.append(minio_proc)
    except BaseException:
        for server in reversed(started):
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    proxy = CountingProxy(minio.host, minio.port)
    rows = []
    try:
        connection = {
            "mlflow_tracking_url": mlflow.url, "mlflow_admin_username": mlflow.admin_username,
            "mlflow_admin_password": mlflow.admin_password,
            "minio_endpoint_url": f"http://{LOOPBACK}:{proxy.port}", "minio_root_user": minio.access_key,
            "minio_root_password": minio.secret_key,
        }
        role_vars = dict(connection, mlflow_tenants=tenant_list(args.tenants, "t"),
                         tenants_secrets_dir=str(workdir / "secrets"), tenants_credentials_dir=str(workdir / "env"),
                         tenants_kubeconfig="", tenants_context="")
        playbook = [str(ROOT / "playbooks" / "tenants.yml")]
        n = args.tenants
        rows.append(measure(f"role, {n} tenants, first run", playbook, role_vars, workdir, mlflow.log_path, proxy))
        rows.append(measure(f"role, {n} tenants, no-op re-run", playbook, role_vars, workdir, mlflow.log_path, proxy))
        if args.naive_tenants:
            m = args.naive_tenants
            naive = [dict(t, sa=f"NAIVE{i:015d}", secret=f"naive-secret-{i:08d}", users=[
                *[dict(u, password=u.get("password") or f"dev-password-{i:06d}") for u in t["members"]],
                {"username": t["name"] + "-workload", "role": "user", "password": f"workload-pw-{i:06d}"}])
                for i, t in enumerate(tenant_list(m, "n"))]
            naive_file = workdir / "naive.yml"
            naive_file.write_text(NAIVE_PLAYBOOK)
            naive_vars = dict(connection, naive_tenants=naive)
            first = measure(f"naive, {m} tenants, first run", [str(naive_file)], naive_vars, workdir,
                            mlflow.log_path, proxy)
            noop = measure(f"naive, {m} tenants, no-op re-run", [str(naive_file)], naive_vars, workdir,
                           mlflow.log_path, proxy)
            rows += [first, noop]
            for row in (first, noop):
                scaled = {key: (row[key] * n / m if key != "run" else row["run"].replace(f"{m} tenants", f"{n} tenants")
                          + f" (extrapolated x{n / m:g} from {m})") for key in row if key != "changed"}
                scaled["changed"] = None
                rows.append(scaled)
    finally:
        proxy.close()
        minio_proc.stop()
        mlflow.stop()
        pg._server.stop()
        shutil.rmtree(mlflow.workdir, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)

    cpu = os.cpu_count()
    table = ["| run | wall time | MLflow requests | MinIO requests | changed |", "| --- | ---: | ---: | ---: | ---: |"]
    for row in rows:
        table.append("| %s | %.0f s | %d | %d | %s |" % (row["run"], row["seconds"], row["mlflow_requests"],
                                                       row["minio_requests"],
                                                       "" if row["changed"] is None else row["changed"]))
    text = "\n".join(table) + "\n\nMachine: %d CPU(s), load average before the run %s.\n" % (
        cpu, " ".join("%.1f" % x for x in load_before))
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
