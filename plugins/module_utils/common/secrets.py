# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generated passwords and keys: letters and digits only, so they survive every quoting they
meet (env files, connection URLs, Kubernetes Secrets, shells) unchanged."""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def generate_secret(length=40):
    """A random string of `length` letters and digits from the system's CSPRNG."""
    return "".join(secrets.choice(ALPHABET) for dummy in range(length))
