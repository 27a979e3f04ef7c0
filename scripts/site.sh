#!/usr/bin/env bash
# The main job: install the controller dependencies into .venv and run playbooks/site.yml.
# With the embedded default inventory (inventories/local) no cluster is needed: the whole
# platform is rendered to a directory for review or GitOps.
#   scripts/site.sh                         render with inventories/local
#   scripts/site.sh -i inventories/mysite   any other inventory, plus any ansible-playbook option
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements.txt
if [[ " $* " != *" -i "* ]]; then
  set -- -i inventories/local "$@"
fi
exec .venv/bin/ansible-playbook playbooks/site.yml "$@"
