# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Human sizes to bytes and back, for bucket quotas, and to Kubernetes quantities, for volumes.

Both spellings are accepted wherever a size is given: the byte units of MinIO and people
(50GiB, 500MB) and the suffixes of Kubernetes quantities (50Gi, 500M). A quota becomes a number
of bytes (parse_size); a volume size becomes a Kubernetes quantity (volume_quantity): 50GiB -> 50Gi,
500MB -> 500M.
"""

from __future__ import annotations

import re

_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4, "pb": 1000 ** 5,
    "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4, "pib": 1024 ** 5,
}
# Kubernetes quantity suffixes (case matters: m is milli in Kubernetes, so it is not a unit here).
_K8S_UNITS = {
    "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3, "Ti": 1024 ** 4, "Pi": 1024 ** 5,
    "k": 1000, "M": 1000 ** 2, "G": 1000 ** 3, "T": 1000 ** 4, "P": 1000 ** 5,
}
# The byte spellings that are also a Kubernetes quantity suffix (what a volume size becomes).
_TO_K8S = {"kib": "Ki", "mib": "Mi", "gib": "Gi", "tib": "Ti", "pib": "Pi",
           "kb": "k", "mb": "M", "gb": "G", "tb": "T", "pb": "P"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
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
    match = _SIZE.match(text)
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
    if unit in _K8S_UNITS:
        return _K8S_UNITS[unit]
    return _UNITS.get(unit.lower())


def volume_quantity_problem(value, field="size"):
    """Why `value` is not a volume size (a message naming `field` and the value), or None."""
    try:
        volume_quantity(value, field)
    except ValueError as exc:
        return str(exc)
    return None


def volume_quantity(value, field="size"):
    """The Kubernetes quantity of a volume size given as 50Gi or 50GiB (-> 50Gi), 500M or 500MB (-> 500M).

    A unit is required: Kubernetes reads a bare number as bytes, so `50` would be a 50-byte volume.
    """
    hint = "write a quantity with a unit, e.g. 50Gi or 50GiB"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("%s: %r is not a size (%s)" % (field, value, hint))
    text = str(value).strip()
    match = _SIZE.match(text)
    if not match:
        raise ValueError("%s: %r is not a size (%s)" % (field, value, hint))
    number, unit = match.group(1), match.group(2)
    if not unit:
        raise ValueError("%s: %r has no unit, and Kubernetes would read it as %s bytes (%s)"
                         % (field, value, number, hint))
    if unit in _K8S_UNITS:
        suffix = unit
    elif unit.lower() in _TO_K8S:
        suffix = _TO_K8S[unit.lower()]
    else:
        raise ValueError("%s: %r has unit %r, which is not a volume size unit (units: Ki, Mi, Gi, Ti, Pi, k, M, G, "
                         "T, P, or KiB, MiB, GiB, TiB, PiB, KB, MB, GB, TB, PB: e.g. 50Gi or 50GiB)"
                         % (field, value, unit))
    if float(number) <= 0:
        raise ValueError("%s: %r must be more than zero (%s)" % (field, value, hint))
    return number + suffix


def format_size(size):
    """The shortest exact 1024-based spelling of `size` bytes (52428800 -> 50MiB); None for 0."""
    if not size:
        return None
    for unit in ("PiB", "TiB", "GiB", "MiB", "KiB"):
        factor = _UNITS[unit.lower()]
        if size % factor == 0:
            return "%d%s" % (size // factor, unit)
    return "%dB" % size
