# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the platform's roles: volume_size, volume_size_problem, network_policy_peers and
network_policy_peers_problem (documented beside)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.onprem.mlflow.plugins.module_utils.k8s_peers import (
    PeerError,
    network_policy_peers_problem,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.k8s_peers import (
    network_policy_peers as _network_policy_peers,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio_size import volume_quantity, volume_quantity_problem


def volume_size(value, field="size"):
    try:
        return volume_quantity(value, field)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


def volume_size_problem(value, field="size"):
    return volume_quantity_problem(value, field) or ""


def network_policy_peers(peers, field="allowed_from"):
    try:
        return _network_policy_peers(peers, field)
    except PeerError as exc:
        raise AnsibleFilterError(str(exc)) from None


def _network_policy_peers_problem(peers, field="allowed_from"):
    return network_policy_peers_problem(peers, field) or ""


class FilterModule:
    def filters(self):
        return {
            "volume_size": volume_size,
            "volume_size_problem": volume_size_problem,
            "network_policy_peers": network_policy_peers,
            "network_policy_peers_problem": _network_policy_peers_problem,
        }
