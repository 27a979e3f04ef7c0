#!/usr/bin/env bash
# ansible-test sanity needs the collection at ansible_collections/<ns>/<name>: copy the
# tracked and new (not ignored) files into a temporary tree of that shape and run it there.
# Sanity covers what the collection ships (galaxy.yml's build_ignore leaves out the test
# harness and the benchmarks, which are test-time code that ruff lints).
#   scripts/sanity.sh                      every sanity test
#   scripts/sanity.sh --test validate-modules plugins/modules/x.py
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/ansible_collections/onprem/mlflow"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard -- . ':(exclude)tests' ':(exclude)benchmarks' \
  | xargs -0 -I{} cp --parents {} "$dest" 2>/dev/null || true
cd "$dest"
git init -q && git add -A >/dev/null   # ansible-test lists the collection's files through git
python_version=$("$root/.venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# ansible-test keeps one virtualenv per sanity test in ~/.ansible/test/venv, shared by every
# run of the same user, and is not safe to run twice at once: a run that finds a venv without
# its marker file (because another run is still building it) deletes and rebuilds it, and the
# first run then loses pip halfway through ("pip is unavailable: No module named 'pip'").
# Runs of this script on one machine therefore take turns.
mkdir -p ~/.ansible/test/cache
exec 9>~/.ansible/test/sanity.lock
if ! flock -n 9; then
  echo "sanity.sh: another sanity run holds ~/.ansible/test/sanity.lock; waiting for it" >&2
  if ! flock -w 1800 9; then
    echo "sanity.sh: still locked after 30 minutes; look for a hung run (ps -ef | grep ansible-test)" >&2
    exit 1
  fi
fi

# ansible-test downloads a pip bootstrap script from a host outside the package registries;
# give it the stand-in from tests/lint/get_pip.py under the name it looks for in its cache,
# with the CA bundle of the caller's pip filled in (ansible-test cleans the environment).
# Written to a temporary name and renamed, so no reader ever sees half a file.
"$root/.venv/bin/python" - "$root/tests/lint/get_pip.py" <<'PY'
import os, pathlib, re, sys, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
pip_version = re.search(r"pip='([^']+)'", source.read_text()).group(1)
ca_bundle = next((os.environ[v] for v in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE") if os.environ.get(v)), "")
script = re.sub(r"^CA_BUNDLE = .*$", lambda _m: "CA_BUNDLE = %r" % ca_bundle,
                pathlib.Path(sys.argv[1]).read_text(), count=1, flags=re.M)
cache = pathlib.Path.home() / ".ansible" / "test" / "cache" / ("get_pip_%s.py" % pip_version.replace(".", "_"))
partial = cache.with_name(cache.name + ".partial")
partial.write_text(script)
partial.replace(cache)
PY
PATH="$root/.venv/bin:$PATH" ansible-test sanity --python "$python_version" --color no "$@"
