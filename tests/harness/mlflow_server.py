"""A real MLflow tracking server, the version the platform deploys (images/mlflow/requirements.txt),
started the way the platform starts it: `--app-name basic-auth --enable-workspaces`, the auth ini
with `default_permission = NO_PERMISSIONS` and its database on PostgreSQL, the admin from the
environment, a Flask secret key, `postgresql+psycopg2://` URIs.

`mlflow_server` is one server for the session; `mlflow_server_factory` starts more (another
auth-cache setting, another database) and stops them at the end of the test that made them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .procs import LOOPBACK, Server, free_port

ADMIN_USERNAME = "admin"


@dataclass
class MlflowServer:
    url: str
    port: int
    admin_username: str
    admin_password: str
    workdir: Path
    log_path: Path
    tracking_db: str
    auth_db: str
    _server: Server = field(repr=False)

    def request(self, method: str, path: str, body: dict | None = None, auth: tuple[str, str] | None = None,
                headers: dict | None = None) -> tuple[int, dict]:
        """One REST call; `auth` defaults to the admin. Returns (status, JSON body or {})."""
        user, password = auth if auth is not None else (self.admin_username, self.admin_password)
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        if user is not None:
            hdrs["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=hdrs)  # noqa: S310 - http://127.0.0.1
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 - loopback only
                return resp.status, _json(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read())

    def client_env(self, username: str, password: str, workspace: str | None = None) -> dict:
        """Environment for the real `mlflow` client acting as `username`."""
        env = {"MLFLOW_TRACKING_URI": self.url, "MLFLOW_TRACKING_USERNAME": username,
               "MLFLOW_TRACKING_PASSWORD": password}
        if workspace:
            env["MLFLOW_WORKSPACE"] = workspace
        return env

    def log_mark(self) -> int:
        """Where the server's log ends now: `requests_since(mark)` reads the requests after it."""
        return self.log_path.stat().st_size

    def requests_since(self, mark: int) -> list[tuple[str, str]]:
        """(method, path) of each request uvicorn logged after `mark`, health probes left out."""
        with self.log_path.open("rb") as log:
            log.seek(mark)
            text = log.read().decode(errors="replace")
        return [(m, p) for m, p in _ACCESS_LINE.findall(text) if p != "/health"]

    def stop(self) -> None:
        self._server.stop()


# uvicorn's access log: `INFO:     127.0.0.1:50200 - "GET /api/2.0/mlflow/users/list HTTP/1.1" 200 OK`
_ACCESS_LINE = re.compile(r'- "([A-Z]+) ([^ ?"]+)[^"]*" \d{3}')


def _json(raw: bytes) -> dict:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:  # /health answers plain text
        return {"raw": raw.decode(errors="replace")}


def write_auth_ini(path: Path, auth_db: str, cache_ttl: int) -> None:
    # The admin comes from MLFLOW_AUTH_ADMIN_* in the environment, as on the platform: no secret here.
    path.write_text(
        "[mlflow]\n"
        "default_permission = NO_PERMISSIONS\n"
        f"database_uri = {auth_db}\n"
        f"admin_username = {ADMIN_USERNAME}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
        "grant_default_workspace_access = false\n"
        f"auth_cache_ttl_seconds = {cache_ttl}\n"
    )


def start_mlflow(postgres, name: str, auth_cache_ttl: int = 600, workers: int = 2,
                 extra_args: list[str] | None = None, extra_env: dict | None = None) -> MlflowServer:
    """Start an MLflow server on fresh databases `<name>_tracking` and `<name>_auth`."""
    workdir = Path(tempfile.mkdtemp(prefix=f"onprem-mlflow-{name}-"))
    tracking_db = postgres.create_database(f"{name}_tracking")
    auth_db = postgres.create_database(f"{name}_auth")
    ini = workdir / "basic_auth.ini"
    write_auth_ini(ini, auth_db, auth_cache_ttl)
    admin_password = secrets.token_urlsafe(18)  # MLflow wants >= 12 characters
    port = free_port()
    mlflow = str(Path(sys.executable).with_name("mlflow"))
    argv = [mlflow, "server", "--app-name", "basic-auth", "--enable-workspaces",
            "--backend-store-uri", tracking_db,
            "--artifacts-destination", (workdir / "artifacts").as_uri(),
            "--host", LOOPBACK, "--port", str(port), "--workers", str(workers),
            *(extra_args or [])]
    env = {
        **os.environ,
        "MLFLOW_AUTH_CONFIG_PATH": str(ini),
        "MLFLOW_AUTH_ADMIN_USERNAME": ADMIN_USERNAME,
        "MLFLOW_AUTH_ADMIN_PASSWORD": admin_password,
        "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(24),
        # As the platform runs it (mlflow_job_execution: false): no job runner processes.
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        **(extra_env or {}),
    }
    server = Server(f"MLflow server {name}", argv, workdir / "mlflow.log", env=env, cwd=workdir)
    try:
        # Generous: on a loaded 2-core machine uvicorn workers take over a minute to import MLflow.
        server.wait_http(f"http://{LOOPBACK}:{port}/health", timeout=300)
    except Exception:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return MlflowServer(f"http://{LOOPBACK}:{port}", port, ADMIN_USERNAME, admin_password, workdir,
                        workdir / "mlflow.log", tracking_db, auth_db, server)


@pytest.fixture(scope="session")
def mlflow_server(postgres):
    """The session's MLflow server, configured as the platform configures it (auth cache on)."""
    server = start_mlflow(postgres, "session")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture
def mlflow_server_factory(postgres):
    """Start extra MLflow servers: `factory(name, auth_cache_ttl=0, ...)`; stopped after the test."""
    started: list[MlflowServer] = []

    def factory(name: str, **kwargs) -> MlflowServer:
        server = start_mlflow(postgres, name, **kwargs)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()
        shutil.rmtree(server.workdir, ignore_errors=True)
