"""A real MinIO server for the integration tests, built from its Go module and cached.

MinIO's community edition is source-only (no official binaries or images since October
2025) and its upstream repository is unmaintained (maintenance mode since December 2025).
Its own README installs it with `go install github.com/minio/minio@<version>`.

The pins below are the commits of the releases the platform ships (roles/minio/defaults:
`minio_image` RELEASE.2025-09-07T16-13-09Z, `minio_mc_image` RELEASE.2025-08-13T08-35-41Z), as
the Go pseudo-versions the module proxy serves: what the tests run is what the platform deploys
(tests/unit/test_image_pins.py keeps the two in step). docs/images.md says what the shipped
server lacks (the service-account fix of RELEASE.2025-10-15T17-29-55Z) and what that means.

    ONPREM_MLFLOW_MINIO_BINARY=/path/to/minio   use an existing binary instead of building one

The fixture `minio_server` (session scope) starts one server on a free loopback port with
a temporary data directory (four drives: erasure coding, so every feature the modules use
is available; see MINIO_DRIVES) and root credentials, and removes both afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .gobuild import go_binary, go_install
from .procs import LOOPBACK, Server, free_port

MINIO_MODULE = "github.com/minio/minio"
# RELEASE.2025-09-07T16-13-09Z (commit 07c3a429bfed), the server of minio_image.
MINIO_VERSION = "v0.0.0-20250907161309-07c3a429bfed"
BINARY_ENV = "ONPREM_MLFLOW_MINIO_BINARY"
# MinIO's client, the program of the bootstrap Job's image: RELEASE.2025-08-13T08-35-41Z
# (commit 7394ce0dd2a8), the client of minio_mc_image.
MC_MODULE = "github.com/minio/mc"
MC_VERSION = "v0.0.0-20250813083541-7394ce0dd2a8"
# The checksum database answers 404 for this pseudo-version (seen 2026-12-02), so its zip hash is
# pinned here (gobuild.go_install), as `go mod download` computed it from the module proxy.
MC_MODULE_SUM = "h1:9tuRE4iEaDkuxatxe7pddYYh1SX5mT0/D0haofZFeTY="
# A single drive ("xl-single") already supports versioning, quotas, users, policies and
# service accounts (tests/integration/minio/test_minio_server.py proves it). Several drives make
# the server an erasure set like the platform's distributed mode; 1 is enough for the modules.
MINIO_DRIVES = 1


def minio_binary() -> Path:
    """The MinIO server binary: ONPREM_MLFLOW_MINIO_BINARY, or the cached build of the pin."""
    override = os.environ.get(BINARY_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FileNotFoundError(f"{BINARY_ENV}={override} is not a file")
        return path
    return go_install(MINIO_MODULE, MINIO_VERSION, "minio", "minio")


def mc_binary() -> Path:
    """MinIO's client `mc`, the program of the bootstrap Job's image, built like the server."""
    return go_install(MC_MODULE, MC_VERSION, "mc", "mc", module_sum=MC_MODULE_SUM)


def binary_version(binary: Path) -> str:
    """What the binary is, from the Go build info (`go install` leaves no RELEASE tag in it)."""
    try:
        out = subprocess.run([go_binary(), "version", "-m", str(binary)], capture_output=True,
                             text=True, check=True, timeout=60).stdout
        match = re.search(r"^\s*mod\s+(\S+)\s+(\S+)", out, re.M)
        if match:
            return f"{match.group(1)}@{match.group(2)}"
    except (OSError, RuntimeError, subprocess.SubprocessError):
        pass
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60).stdout
    return out.splitlines()[0].strip() if out.strip() else "unknown"


@dataclass
class MinioServer:
    host: str
    port: int
    console_port: int
    access_key: str
    secret_key: str
    version: str
    binary: Path
    log_path: Path
    drives: int

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def minio(self, access_key: str | None = None, secret_key: str | None = None):
        """A minio-py client, as root unless other credentials are given."""
        from minio import Minio

        return Minio(self.netloc, access_key=access_key or self.access_key,
                     secret_key=secret_key or self.secret_key, secure=False)

    def admin(self, access_key: str | None = None, secret_key: str | None = None):
        """A minio-py admin client, as root unless other credentials are given."""
        from minio import MinioAdmin
        from minio.credentials import StaticProvider

        return MinioAdmin(endpoint=self.netloc, secure=False, credentials=StaticProvider(
            access_key or self.access_key, secret_key or self.secret_key))

    def boto3(self, access_key: str | None = None, secret_key: str | None = None):
        """A boto3 S3 client, as root unless other credentials are given."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            config=Config(signature_version="s3v4", retries={"max_attempts": 1},
                          s3={"addressing_style": "path"}),
        )


def start_minio(workdir: Path, drives: int = MINIO_DRIVES) -> tuple[MinioServer, Server]:
    binary = minio_binary()
    version = binary_version(binary)
    port, console_port = free_port(), free_port()
    access_key, secret_key = "root-" + secrets.token_hex(4), secrets.token_urlsafe(24)
    datadir = workdir / "data"
    # `dir{1...4}` is MinIO's own expansion syntax for several drives.
    data_arg = str(datadir) if drives == 1 else f"{datadir}{{1...{drives}}}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir),
        "MINIO_ROOT_USER": access_key,
        "MINIO_ROOT_PASSWORD": secret_key,
        "MINIO_UPDATE": "off",
        "MINIO_CALLHOME_ENABLE": "off",
        # Several drives in one directory tree: allow them to share a disk.
        "MINIO_CI_CD": "1",
    }
    argv = [str(binary), "server", "--quiet", "--address", f"{LOOPBACK}:{port}",
            # Never the default :9001 on every interface: a free loopback port of its own.
            "--console-address", f"{LOOPBACK}:{console_port}", data_arg]
    log_path = workdir / "minio.log"
    server = Server("minio", argv, log_path, env=env, cwd=workdir)
    info = MinioServer(LOOPBACK, port, console_port, access_key, secret_key, version, binary, log_path, drives)
    try:
        server.wait_http(f"{info.endpoint}/minio/health/live", timeout=90)
        # live means the process answers; ready means the drives are formatted and writable.
        server.wait_http(f"{info.endpoint}/minio/health/ready", timeout=90)
        # The console comes up after the API; wait, so nothing else can take its port meanwhile.
        server.wait_port(console_port, timeout=60)
    except BaseException:
        server.stop()
        raise
    return info, server


def pytest_configure(config):
    config.stash.setdefault(_VERSIONS, [])


_VERSIONS = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for line in config.stash.get(_VERSIONS, []):
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def minio_server(request):
    """A running MinIO server on loopback, as root: endpoint, host, port, access_key, secret_key, version."""
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-minio-"))
    try:
        info, server = start_minio(workdir)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    line = f"MinIO server under test: {info.version} ({info.drives} drive(s), {info.binary})"
    request.config.stash.setdefault(_VERSIONS, []).append(line)
    try:
        yield info
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
