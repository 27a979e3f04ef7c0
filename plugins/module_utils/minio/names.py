# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks of names and keys MinIO would refuse, so a bad value fails before anything changes."""

from __future__ import annotations

import re

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


def bucket_name_problem(name):
    """Why `name` is not a valid bucket name, or None when it is."""
    if not isinstance(name, str) or not _BUCKET.match(name):
        return ("bucket name %r must be 3-63 characters of lowercase letters, digits, dots and hyphens, "
                "starting and ending with a letter or digit" % (name,))
    if ".." in name or ".-" in name or "-." in name:
        return "bucket name %r must not contain '..', '.-' or '-.'" % name
    if _IP.match(name):
        return "bucket name %r must not look like an IP address" % name
    return None


def key_problem(access_key=None, secret_key=None, max_access_key=None):
    """Why an access key or secret key would be refused by MinIO, or None."""
    if access_key is not None:
        if len(access_key) < 3 or (max_access_key and len(access_key) > max_access_key):
            limit = "3-%d" % max_access_key if max_access_key else "at least 3"
            return "access_key %r must be %s characters long" % (access_key, limit)
        if any(c in access_key for c in "=,") or access_key != access_key.strip():
            return "access_key %r must not contain '=', ',' or surrounding spaces" % access_key
    if secret_key is not None and not 8 <= len(secret_key) <= 40:
        # Never echo a secret, not even a wrong one.
        return "secret_key must be 8-40 characters long (the given one has %d)" % len(secret_key)
    return None
