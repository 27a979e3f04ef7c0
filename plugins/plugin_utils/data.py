# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Data handed to a filter, as plain Python."""

from __future__ import annotations

from collections.abc import Mapping


def plain(value):
    """The value as plain dicts and lists: Ansible may hand a filter lazy containers, whose items
    are not the objects a change must be made on (a filter that edits manifests starts here)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value
