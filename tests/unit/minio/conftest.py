"""Unit tests of the MinIO plugins' pure logic: the collection importable as onprem.mlflow."""

import sys
from pathlib import Path

# scripts/bootstrap.sh links this checkout in as .collections/ansible_collections/onprem/mlflow.
COLLECTIONS = Path(__file__).resolve().parents[3] / ".collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
