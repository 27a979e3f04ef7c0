#!/usr/bin/env bash
# Shared first step of both README commands: a virtual environment with the given
# requirements file, and this checkout linked in as the collection onprem.mlflow.
#   scripts/bootstrap.sh requirements.txt        (controller only)
#   scripts/bootstrap.sh requirements-test.txt   (controller + test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}

if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "==> installing python3-venv (Debian package)"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv python3-pip
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating the virtual environment .venv"
  python3 -m venv .venv
fi
# uv (from PyPI) installs the same pinned requirements as pip, several times faster: it
# downloads in parallel and links from its cache instead of unpacking every wheel again.
uv_version=0.13.8
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$uv_version" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$uv_version"
fi

# Reinstall only when the requirements changed since the last install.
stamp=".venv/.installed-$(basename "$requirements")"
digest=$(cat "$requirements" requirements.txt images/mlflow/requirements.txt 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  echo "==> installing Python packages from $requirements"
  .venv/bin/uv pip install -q --python .venv/bin/python -r "$requirements"
  echo "$digest" > "$stamp"
fi

# Ansible finds the collection by its FQCN through ansible.cfg's collections_path.
mkdir -p .collections/ansible_collections/onprem
ln -sfn "$(pwd)" .collections/ansible_collections/onprem/mlflow
