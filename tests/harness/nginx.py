"""Debian's nginx binary, for the S3 gateway's container run as a process.

The gateway's image is nginx's official one; this machine runs Debian bookworm's nginx build
(docs/images.md says which versions). The package is downloaded and unpacked into the cache,
not installed: installing it would start a system nginx on port 80.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .budget import ensure
from .procs import cache_dir

PACKAGE = "nginx"


def _candidate() -> str:
    out = subprocess.run(["apt-cache", "policy", PACKAGE], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
            if version and version != "(none)":
                return version
    return ""


def _download(into: Path) -> None:
    def fetch():
        return subprocess.run(["apt-get", "download", PACKAGE], cwd=into, capture_output=True, text=True)

    done = fetch()
    if done.returncode != 0:
        # A fresh machine may have no package lists yet.
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], capture_output=True, text=True, check=True)
        done = fetch()
    if done.returncode != 0:
        raise RuntimeError(f"apt-get download {PACKAGE} failed: {done.stderr[-800:]}")


def nginx_binary() -> Path:
    """The unpacked /usr/sbin/nginx of Debian's package, made once per package version."""
    version = _candidate()
    if not version:
        # No package lists: read them, then ask again.
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], capture_output=True, text=True, check=True)
        version = _candidate()
    target = cache_dir("nginx", version.replace(":", "_"))
    binary = target / "usr" / "sbin" / "nginx"

    def make():
        scratch = Path(tempfile.mkdtemp(prefix=".partial-", dir=target))
        try:
            _download(scratch)
            (deb,) = scratch.glob("*.deb")
            subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], capture_output=True, text=True, check=True)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    ensure("nginx", version, binary.exists, make)
    return binary
