"""onprem.mlflow.manifest_dir, the render path of the platform roles, run as Ansible runs a
module (a JSON arguments file, JSON on stdout)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "plugins" / "modules" / "manifest_dir.py"
# scripts/bootstrap.sh links this checkout in as .collections/ansible_collections/onprem/mlflow,
# where the module's own module_utils imports resolve.
MODULE_ENV = {**os.environ, "PYTHONPATH": str(ROOT / ".collections")}
SECRET_VALUE = "c2VjcmV0LXZhbHVlLTEyMzQ1"  # noqa: S105 - a test value


def run(tmp_path: Path, **args) -> dict:
    args_file = tmp_path / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    done = subprocess.run([sys.executable, str(MODULE), str(args_file)], capture_output=True, text=True, timeout=60,
                          env=MODULE_ENV)
    return json.loads(done.stdout)


def objects():
    return [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "ns"},
         "data": {"password": SECRET_VALUE}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "script", "namespace": "ns"},
         "data": {"run.sh": "#!/bin/sh\necho hello\n"}},
    ]


def test_writes_one_file_per_object_and_a_kustomization(tmp_path):
    out = tmp_path / "out"
    result = run(tmp_path, path=str(out), manifests=objects(), _ansible_diff=True)
    assert result["changed"] is True
    assert result["files"] == ["secret-creds.yaml", "configmap-script.yaml", "kustomization.yaml"]
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["secret-creds.yaml", "configmap-script.yaml"]
    assert stat.S_IMODE((out / "secret-creds.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "configmap-script.yaml").stat().st_mode) == 0o644
    text = (out / "configmap-script.yaml").read_text()
    assert "run.sh: |" in text, "multi-line strings are literal blocks"
    assert yaml.safe_load(text)["data"]["run.sh"] == "#!/bin/sh\necho hello\n"
    # The module's own return values (invocation aside: Ansible echoes the arguments, hence
    # no_log on tasks that pass Secrets) carry no object content, the diff included.
    returned = {k: v for k, v in result.items() if k != "invocation"}
    assert "diff" in returned
    assert SECRET_VALUE not in json.dumps(returned)


def test_second_run_changes_nothing_and_prune_removes_stale_files(tmp_path):
    out = tmp_path / "out"
    run(tmp_path, path=str(out), manifests=objects())
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run(tmp_path, path=str(out), manifests=objects())
    assert again["changed"] is False and again["written"] == []
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    (out / "notes.txt").write_text("kept: not a manifest")
    pruned = run(tmp_path, path=str(out), manifests=objects()[1:])
    assert pruned["changed"] is True and pruned["removed"] == ["secret-creds.yaml"]
    assert sorted(p.name for p in out.iterdir()) == ["configmap-script.yaml", "kustomization.yaml", "notes.txt"]


def test_check_mode_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = run(tmp_path, path=str(out), manifests=objects(), _ansible_check_mode=True)
    assert result["changed"] is True and "kustomization.yaml" in result["written"]
    assert not out.exists()


def test_resources_and_bad_objects(tmp_path):
    out = tmp_path / "out"
    top = run(tmp_path, path=str(out), resources=["storage", "postgres"], prune=False)
    assert yaml.safe_load((out / "kustomization.yaml").read_text())["resources"] == ["storage", "postgres"]
    bad = run(tmp_path, path=str(out), manifests=[{"kind": "ConfigMap", "metadata": {"name": "Not_Valid"}}])
    assert bad["failed"] is True and "metadata.name" in bad["msg"]
    twice = run(tmp_path, path=str(out), manifests=objects()[1:] * 2)
    assert twice["failed"] is True and "configmap-script.yaml" in twice["msg"]
    assert top["changed"] is True
