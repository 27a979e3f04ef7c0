#!/usr/bin/env bash
# ansible-test sanity needs the collection at ansible_collections/<ns>/<name>: copy the
# tracked and new (not ignored) files into a temporary tree of that shape and run it there.
#   scripts/sanity.sh                      every sanity test
#   scripts/sanity.sh --test validate-modules plugins/modules/x.py
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/ansible_collections/onprem/mlflow"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$dest" 2>/dev/null || true
cd "$dest"
git init -q && git add -A >/dev/null   # ansible-test lists the collection's files through git
python_version=$("$root/.venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PATH="$root/.venv/bin:$PATH" ansible-test sanity --python "$python_version" --color no "$@"
