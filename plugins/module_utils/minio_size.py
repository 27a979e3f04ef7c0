# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Human sizes (50GiB, 500MB, 1073741824) to bytes and back, for bucket quotas."""

from __future__ import annotations

import re

_UNITS = {
    "": 1, "b": 1,
    "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3, "tb": 1000 ** 4, "pb": 1000 ** 5,
    "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4, "pib": 1024 ** 5,
}
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
    unit = match.group(2).lower() if match else None
    if not match or unit not in _UNITS:
        raise ValueError("size %r is not a number of bytes or a size such as 500MiB, 50GiB, 2TB "
                         "(units: B, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB)" % value)
    size = float(match.group(1)) * _UNITS[unit] if "." in match.group(1) else int(match.group(1)) * _UNITS[unit]
    if size != int(size):
        raise ValueError("size %r is not a whole number of bytes" % value)
    return int(size)


def format_size(size):
    """The shortest exact 1024-based spelling of `size` bytes (52428800 -> 50MiB); None for 0."""
    if not size:
        return None
    for unit in ("PiB", "TiB", "GiB", "MiB", "KiB"):
        factor = _UNITS[unit.lower()]
        if size % factor == 0:
            return "%d%s" % (size // factor, unit)
    return "%dB" % size
