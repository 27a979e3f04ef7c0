# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Human sizes to bytes and back, for bucket quotas.

Both spellings are accepted wherever a size is given: the byte units of MinIO and people
(50GiB, 500MB) and the suffixes of Kubernetes quantities (50Gi, 500M). A quota becomes a number
of bytes (parse_size). Volume sizes, which become Kubernetes quantities, are the platform
filters' (plugin_utils/volumes.py), on the same unit tables.
"""

from __future__ import annotations

import re

_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4, "pb": 1000 ** 5,
    "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4, "pib": 1024 ** 5,
}
# Kubernetes quantity suffixes (case matters: m is milli in Kubernetes, so it is not a unit here).
K8S_UNITS = {
    "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4, "Pi": 1024 ** 5,
    "k": 1000, "M": 1000 ** 2, "G": 1000 ** 3, "T": 1000 ** 4, "P": 1000 ** 5,
}
SIZE_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
# Words that mean "no quota".
NO_SIZE = ("", "0", "none", "unlimited")


def parse_size(value):
    """Bytes (int) of a size such as 50GiB (1024-based), 50GB (1000-based) or 1024; 0 for none."""
    if isinstance(value, bool):
        raise ValueError("size %r is not a number of bytes or a size such as 50GiB" % value)
    if value is None:
        return 0
    if isinstance(value, int):
        if value < 0:
            raise ValueError("size %r must not be negative" % value)
        return value
    text = str(value).strip()
    if text.lower() in NO_SIZE:
        return 0
    match = SIZE_PATTERN.match(text)
    factor = _factor(match.group(2)) if match else None
    if factor is None:
        raise ValueError("size %r is not a number of bytes or a size such as 500MiB, 50GiB, 2TB, 50Gi "
                         "(units: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB, or the Kubernetes "
                         "suffixes k, M, G, T, P, Ki, Mi, Gi, Ti, Pi)" % value)
    size = float(match.group(1)) * factor if "." in match.group(1) else int(match.group(1)) * factor
    if size != int(size):
        raise ValueError("size %r is not a whole number of bytes" % value)
    return int(size)


def _factor(unit):
    """Bytes per `unit`: a byte unit in any case (GiB, gb), or a Kubernetes suffix as Kubernetes spells it."""
    if unit in K8S_UNITS:
        return K8S_UNITS[unit]
    return _UNITS.get(unit.lower())


def format_size(size):
    """The shortest exact 1024-based spelling of `size` bytes (52428800 -> 50MiB); None for 0."""
    if not size:
        return None
    for unit in ("PiB", "TiB", "GiB", "MiB", "KiB"):
        factor = _UNITS[unit.lower()]
        if size % factor == 0:
            return "%d%s" % (size // factor, unit)
    return "%dB" % size
