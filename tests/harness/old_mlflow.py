"""The previous minor MLflow release, in its own cached virtual environment, for migration tests.

The platform's image runs the MLflow of images/mlflow/requirements.txt; an upgrade meets
databases that the previous minor release created. That release is installed once, from
PyPI, into `<cache>/mlflow-venvs/<version>/` (outside the repository) and reused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .budget import ensure
from .procs import cache_dir

OLD_MLFLOW_VERSION = "3.16.1"
# One pinned line: the old server with its auth extra and the PostgreSQL driver the
# platform's URIs name (postgresql+psycopg2://).
OLD_MLFLOW_REQUIREMENT = f"mlflow[auth]=={OLD_MLFLOW_VERSION} psycopg2-binary==2.9.13"


def old_mlflow_bin() -> Path:
    """The bin directory of the cached venv with the previous MLflow (created on demand)."""
    root = cache_dir("mlflow-venvs", OLD_MLFLOW_VERSION)
    marker = root / "installed.txt"

    def make() -> None:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(root / "venv")], check=True,
                       capture_output=True)
        # uv (scripts/bootstrap.sh puts it beside this Python) shares its cache of wheels with
        # the test environment's install, so most of the release's dependencies are links.
        uv = Path(sys.executable).with_name("uv")
        installer = ([str(uv), "pip", "install", "-q", "--python", str(root / "venv" / "bin" / "python")]
                     if uv.exists() else [str(root / "venv" / "bin" / "pip"), "install", "-q",
                                          "--disable-pip-version-check"])
        proc = subprocess.run([*installer, *OLD_MLFLOW_REQUIREMENT.split()], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"installing {OLD_MLFLOW_REQUIREMENT} failed:\n"
                               f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        marker.write_text(OLD_MLFLOW_REQUIREMENT)

    ensure("mlflow-previous", OLD_MLFLOW_VERSION,
           lambda: marker.exists() and marker.read_text() == OLD_MLFLOW_REQUIREMENT, make)
    return root / "venv" / "bin"
