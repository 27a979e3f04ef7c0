# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the converges of both services do with a list of items and their results: find the
entries listed twice (refused before any request), and gather the diff of the changed ones.

An item result is a dict with `changed` and, privately, `_before` and `_after` (the diff views of
the object); any other key starting with `_` is private too and never reaches the task result.
"""

from __future__ import annotations

from collections import Counter


def listed_twice(values):
    """The values that occur more than once, sorted."""
    return sorted(value for value, count in Counter(values).items() if count > 1)


def changed_diff(results, key):
    """Remove the private keys of every result and return the diff {before, after} of the changed
    ones, each keyed by key(result)."""
    before, after = {}, {}
    for result in results:
        if result["changed"]:
            before[key(result)], after[key(result)] = result["_before"], result["_after"]
        for private in [name for name in result if name.startswith("_")]:
            del result[private]
    return dict(before=before, after=after)
