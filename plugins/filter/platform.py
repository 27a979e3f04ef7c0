# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the platform's roles: volume_size, volume_size_problem, platform_volumes,
network_policy_peers, network_policy_peers_problem, with_pod_settings, pod_settings_problem,
with_template_checksums and templates_changed (documented beside)."""

from __future__ import annotations

from ansible_collections.onprem.mlflow.plugins.plugin_utils.checks import checked, problem
from ansible_collections.onprem.mlflow.plugins.plugin_utils.k8s_peers import network_policy_peers
from ansible_collections.onprem.mlflow.plugins.plugin_utils.pod_settings import pod_settings_problem, with_pod_settings
from ansible_collections.onprem.mlflow.plugins.plugin_utils.volumes import platform_volumes, volume_quantity
from ansible_collections.onprem.mlflow.plugins.plugin_utils.workloads import templates_changed, with_template_checksums


class FilterModule:
    def filters(self):
        return {
            "volume_size": checked(volume_quantity),
            "volume_size_problem": problem(volume_quantity),
            "platform_volumes": checked(platform_volumes),
            "network_policy_peers": checked(network_policy_peers),
            "network_policy_peers_problem": problem(network_policy_peers),
            "with_pod_settings": checked(with_pod_settings),
            "pod_settings_problem": pod_settings_problem,
            "with_template_checksums": with_template_checksums,
            "templates_changed": templates_changed,
        }
