"""Lint and sanity: ruff, ansible-lint (production profile), ansible-test sanity, and the
collection artifact that `ansible-galaxy collection build` makes."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from harness.budget import cache_state

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(argv, **kwargs):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "ANSIBLE_NOCOLOR": "1",
           "NO_COLOR": "1", **kwargs.pop("env", {})}
    return subprocess.run(argv, cwd=kwargs.pop("cwd", ROOT), env=env, capture_output=True, text=True, **kwargs)


def test_ruff():
    proc = run([str(BIN / "ruff"), "check", "--no-cache", "."])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ansible_lint_production_profile():
    proc = run([str(BIN / "ansible-lint"), "--profile", "production", "--nocolor"], timeout=900)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-8000:]


def test_ansible_test_sanity():
    venvs = Path.home() / ".ansible" / "test" / "venv"
    cache_state("ansible-test venvs", venvs.is_dir() and any(venvs.iterdir()), str(venvs))
    proc = run([str(ROOT / "scripts" / "sanity.sh")], timeout=1200)
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-4000:]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    proc = run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tarball,) = out.glob("onprem-mlflow-*.tar.gz")
    return tarball


def test_collection_artifact_holds_the_collection_and_nothing_local(artifact):
    with tarfile.open(artifact) as tar:
        names = set(tar.getnames())
    assert {"MANIFEST.json", "FILES.json", "README.md", "meta/runtime.yml"} <= names
    assert any(n.startswith("plugins/modules/") for n in names)
    assert any(n.startswith("roles/") for n in names)
    leaked = [n for n in names if n.split("/")[0] in {".venv", ".collections", ".ansible", "build", ".git"}]
    assert not leaked, leaked


def test_collection_artifact_installs_and_documents_its_modules(artifact, tmp_path):
    # Away from this checkout's ansible.cfg, whose collections path already holds onprem.mlflow.
    empty_cfg = tmp_path / "ansible.cfg"
    empty_cfg.write_text("[defaults]\n")
    clean = {"ANSIBLE_CONFIG": str(empty_cfg), "ANSIBLE_COLLECTIONS_PATH": str(tmp_path)}
    proc = run([str(BIN / "ansible-galaxy"), "collection", "install", "--no-deps", "--force", "-p", str(tmp_path),
                str(artifact)], cwd=tmp_path, env=clean)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = tmp_path / "ansible_collections" / "onprem" / "mlflow"
    modules = sorted(p.stem for p in (installed / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    assert modules, "the installed collection has no modules"
    # ansible-doc reads the installed copy (not this checkout) and renders every module.
    proc = run([str(BIN / "ansible-doc"), *[f"onprem.mlflow.{m}" for m in modules]], cwd=tmp_path, env=clean)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr
    for module in modules:
        assert f"onprem.mlflow.{module}" in proc.stdout
