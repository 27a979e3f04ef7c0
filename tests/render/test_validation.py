"""Bad inventory settings stop site.yml with a message naming the variable, before anything is
applied or rendered."""

from __future__ import annotations

import pytest
from platform_rendering import render


@pytest.mark.parametrize(
    ("extra_vars", "message"),
    [
        ({"minio_mode": "distributed", "minio_nodes": ["node-1"]}, "MinIO settings are invalid"),
        ({"postgres_node": "node-9"}, "Local volumes can only live on hosts of group volume_nodes"),
    ],
    ids=["minio-distributed-on-one-node", "postgres-off-the-volume-nodes"],
)
def test_bad_settings_fail_before_anything_changes(tmp_path, extra_vars, message):
    render_dir, secrets_dir, result = render("inventories/example", extra_vars, tmp_path)
    assert result.rc != 0
    assert message in result.output
    assert not render_dir.exists() and not secrets_dir.exists()
