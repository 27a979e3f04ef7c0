"""Stand-in for the pip bootstrap script ansible-test downloads from its own file host.

ansible-test sanity creates its virtual environments without pip and fetches `get-pip.py`
from a host that our machines cannot reach; it uses a copy from its cache when there is one
(`~/.ansible/test/cache/get_pip_<version>.py`), and scripts/sanity.sh puts this file there.
It does the same job from what can be reached: pip from the interpreter's own `ensurepip`,
then `pip install` of exactly what ansible-test asked for (pinned versions, from PyPI).
"""

import ensurepip
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution

# ansible-test runs pip with a cleaned environment, which drops PIP_CERT and the like: a
# machine behind a TLS-inspecting proxy then fails on every download. scripts/sanity.sh
# writes the CA bundle the caller's pip used here, and it goes into the venv's own pip.conf.
CA_BUNDLE = ""


def installed(name):
    try:
        distribution(name)
    except PackageNotFoundError:
        return False
    return True


# get-pip's own switches; everything else is passed on to `pip install`.
OWN = {"--no-setuptools": "setuptools", "--no-wheel": "wheel"}
args = [a for a in sys.argv[1:] if a not in OWN]
unwanted = [OWN[a] for a in sys.argv[1:] if a in OWN]

if CA_BUNDLE:
    with open(os.path.join(sys.prefix, "pip.conf"), "w") as conf:
        conf.write("[global]\ncert = %s\n" % CA_BUNDLE)
ensurepip.bootstrap(upgrade=True)
os.environ.pop("PIP_CONFIG_FILE", None)  # ensurepip points it at /dev/null and leaves it set
pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
rc = subprocess.call([*pip, "install", *args])


# ensurepip brings setuptools along (Python < 3.12); remove what ansible-test asked not to
# have, naming only what is there so pip does not warn about the rest (wheel, usually).
unwanted = [name for name in unwanted if installed(name)]
if rc == 0 and unwanted:
    rc = subprocess.call([*pip, "uninstall", "-q", "-y", *unwanted])
sys.exit(rc)
