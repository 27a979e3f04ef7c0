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
  .venv/bin/pip install -q --upgrade pip
fi

# Reinstall only when the requirements changed since the last install.
stamp=".venv/.installed-$(basename "$requirements")"
digest=$(cat "$requirements" requirements.txt images/mlflow/requirements.txt 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  echo "==> installing Python packages from $requirements"
  .venv/bin/pip install -q -r "$requirements"
  echo "$digest" > "$stamp"
fi

# Ansible finds the collection by its FQCN through ansible.cfg's collections_path.
mkdir -p .collections/ansible_collections/onprem
ln -sfn "$(pwd)" .collections/ansible_collections/onprem/mlflow
