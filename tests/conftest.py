"""Suite-wide pytest setup: the harness package on sys.path and its fixture modules."""

import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))

pytest_plugins = [
    "harness.budget",
    "harness.postgres",
    "harness.mlflow_server",
    "harness.playbook",
    "harness.minio_server",
    "harness.kube_cluster",
]
