"""A private PostgreSQL cluster from Debian's package: initdb into a temp dir, a free
loopback port, trust auth for the superuser on loopback only, torn down afterwards."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .procs import LOOPBACK, Server, ServerError, free_port


def pg_bindir() -> Path:
    """The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/N/bin)."""
    override = os.environ.get("ONPREM_MLFLOW_PG_BINDIR")
    if override:
        return Path(override)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise ServerError("PostgreSQL server binaries not found: `apt-get install postgresql` (scripts/test.sh does)")


@dataclass
class Postgres:
    host: str
    port: int
    superuser: str
    datadir: Path
    log_path: Path
    _server: Server

    def dsn(self, dbname: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        auth = user or self.superuser
        if password:
            auth += f":{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def sqlalchemy_uri(self, dbname: str) -> str:
        """The URI form the platform hands MLflow: the psycopg2 driver spelt out."""
        return f"postgresql+psycopg2://{self.superuser}@{self.host}:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        import psycopg2

        conn = psycopg2.connect(host=self.host, port=self.port, user=self.superuser, dbname=dbname)
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def create_database(self, name: str) -> str:
        """Create database `name` (fresh each call: dropped first) and return its SQLAlchemy URI."""
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{name}"')
        return self.sqlalchemy_uri(name)


def _run_as(user: str | None, argv: list[str]) -> subprocess.CompletedProcess:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True)


def start_postgres(workdir: Path) -> Postgres:
    bindir = pg_bindir()
    run_user = "postgres" if os.geteuid() == 0 else None
    datadir = workdir / "data"
    sockdir = workdir / "sock"
    datadir.mkdir()
    sockdir.mkdir()
    if run_user:
        pw = pwd.getpwnam(run_user)
        for path in (workdir, datadir, sockdir):
            os.chown(path, pw.pw_uid, pw.pw_gid)
    superuser = "postgres"
    init = _run_as(run_user, [str(bindir / "initdb"), "-D", str(datadir), "-U", superuser,
                              "--auth=trust", "--encoding=UTF8", "--no-sync"])
    if init.returncode != 0:
        raise ServerError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
    port = free_port()
    log_path = workdir / "postgres.log"
    argv = [str(bindir / "postgres"), "-D", str(datadir), "-p", str(port), "-h", LOOPBACK,
            "-k", str(sockdir), "-c", "fsync=off", "-c", "max_connections=200"]
    if run_user:
        argv = ["runuser", "-u", run_user, "--", *argv]
    server = Server("PostgreSQL", argv, log_path)
    server.wait_port(port, timeout=60)
    pg = Postgres(LOOPBACK, port, superuser, datadir, log_path, server)
    # The port opens before the server accepts connections: wait until a query works.
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            pg.execute("SELECT 1")
            return pg
        except psycopg2.OperationalError:
            if time.monotonic() > deadline or not server.alive():
                server.stop()
                raise server.fail("did not accept connections") from None
            time.sleep(0.2)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole test session."""
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-pg-"))
    os.chmod(workdir, 0o755)  # noqa: S103 - the `postgres` user must reach its data dir inside
    pg = None
    try:
        pg = start_postgres(workdir)
        yield pg
    finally:
        if pg is not None:
            pg._server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
