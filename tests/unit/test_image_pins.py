"""What the tests run is what the platform ships: the roles' image defaults and the harness's
pins name the same releases (MinIO and mc from the commits of the shipped RELEASE tags, MLflow
from the version of images/mlflow/requirements.txt); no servers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from harness.minio_server import MC_VERSION, MINIO_VERSION  # noqa: E402


def default(role: str, name: str) -> str:
    return yaml.safe_load((ROOT / "roles" / role / "defaults" / "main.yml").read_text())[name]


def release_stamp(image: str) -> str:
    """RELEASE.2025-09-07T16-13-09Z -> 20250907161309, the commit time a Go pseudo-version carries."""
    match = re.search(r":RELEASE\.(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)Z@sha256:[0-9a-f]{64}$", image)
    assert match, f"{image} is not a MinIO RELEASE tag pinned by digest"
    return "".join(match.groups())


def pseudo_stamp(version: str) -> str:
    match = re.fullmatch(r"v0\.0\.0-(\d{14})-[0-9a-f]{12}", version)
    assert match, f"{version} is not a Go pseudo-version"
    return match.group(1)


def test_the_harness_builds_the_minio_release_the_statefulset_deploys():
    assert pseudo_stamp(MINIO_VERSION) == release_stamp(default("minio", "minio_image"))


def test_the_harness_builds_the_mc_release_the_bootstrap_job_runs():
    assert pseudo_stamp(MC_VERSION) == release_stamp(default("minio", "minio_mc_image"))


def test_the_mlflow_image_is_the_release_the_tests_install():
    pinned = re.search(r"^mlflow\[auth\]==(\S+)$", (ROOT / "images/mlflow/requirements.txt").read_text(), re.M)
    assert pinned, "images/mlflow/requirements.txt pins no mlflow[auth]"
    for image in (default("mlflow", "mlflow_image"),
                  yaml.safe_load((ROOT / "inventories/example/group_vars/all/mlflow.yml").read_text())["mlflow_image"]):
        assert image == f"ghcr.io/mlflow/mlflow:v{pinned.group(1)}-full", image


def test_the_s3_gateway_image_is_an_exact_nginx_release():
    """Not a moving tag (stable, latest, 1.28): an exact release, or a digest."""
    image = default("minio", "minio_gateway_image")
    assert re.search(r"/nginx:\d+\.\d+\.\d+(-[a-z0-9.]+)?$", image) or re.search(r"@sha256:[0-9a-f]{64}$", image), image
