"""The platform's volume layout (plugins/plugin_utils/volumes.py platform_volumes, the filter the
storage role's PersistentVolumes and the example inventory's node_prep directories share); no
servers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))

from ansible.errors import AnsibleFilterError
from ansible_collections.onprem.mlflow.plugins.filter.platform import FilterModule

platform_volumes = FilterModule().filters()["platform_volumes"]
SITE = dict(local_path="/srv/onprem-mlflow/", nfs_path="/srv/nfs/onprem-mlflow", postgres_node="node-1",
            minio_nodes=["node-1", "node-2"], minio_drives_per_node=2)


def test_local_volumes_name_their_claim_directory_and_node():
    assert platform_volumes("local", **SITE) == [
        {"claim": "data-postgres-0", "workload": "postgres", "path": "/srv/onprem-mlflow/postgres", "node": "node-1"},
        {"claim": "drive-0-minio-0", "workload": "minio", "path": "/srv/onprem-mlflow/minio/drive-0", "node": "node-1"},
        {"claim": "drive-1-minio-0", "workload": "minio", "path": "/srv/onprem-mlflow/minio/drive-1", "node": "node-1"},
        {"claim": "drive-0-minio-1", "workload": "minio", "path": "/srv/onprem-mlflow/minio/drive-0", "node": "node-2"},
        {"claim": "drive-1-minio-1", "workload": "minio", "path": "/srv/onprem-mlflow/minio/drive-1", "node": "node-2"},
    ]


def test_nfs_volumes_have_a_directory_per_pod_under_the_export_and_no_node():
    paths = [(v["claim"], v["path"]) for v in platform_volumes("nfs", **SITE)]
    assert paths == [
        ("data-postgres-0", "/srv/nfs/onprem-mlflow/postgres"),
        ("drive-0-minio-0", "/srv/nfs/onprem-mlflow/minio-0/drive-0"),
        ("drive-1-minio-0", "/srv/nfs/onprem-mlflow/minio-0/drive-1"),
        ("drive-0-minio-1", "/srv/nfs/onprem-mlflow/minio-1/drive-0"),
        ("drive-1-minio-1", "/srv/nfs/onprem-mlflow/minio-1/drive-1"),
    ]
    assert all("node" not in v for v in platform_volumes("nfs", **SITE))


@pytest.mark.parametrize(("change", "message"), [
    ({"backend": "ceph"}, "storage_backend must be local or nfs"),
    ({"minio_nodes": "node-1"}, "minio_nodes must be a list"),
    ({"minio_drives_per_node": 0}, "minio_drives_per_node must be a whole number of 1 or more"),
    ({"minio_drives_per_node": "two"}, "minio_drives_per_node must be a whole number of 1 or more"),
])
def test_bad_settings_fail_the_task_with_the_setting_named(change, message):
    args = {**SITE, "backend": "local", **change}
    with pytest.raises(AnsibleFilterError, match=message):
        platform_volumes(args.pop("backend"), **args)
