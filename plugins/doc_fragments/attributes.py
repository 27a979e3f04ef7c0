# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # What every module of the collection supports: check mode and diff in full, on the controller
    # or any POSIX host. Used with ansible.builtin.action_common_attributes (which describes them).
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
"""

    # The MinIO modules' action group (meta/runtime.yml): module_defaults: group/onprem.mlflow.minio
    # sets the connection once. Used with ansible.builtin.action_common_attributes.action_groups.
    MINIO_GROUP = r"""
attributes:
  action_group:
    support: full
    membership:
      - onprem.mlflow.minio
"""

    # The MLflow modules' action group: module_defaults: group/onprem.mlflow.mlflow.
    MLFLOW_GROUP = r"""
attributes:
  action_group:
    support: full
    membership:
      - onprem.mlflow.mlflow
"""
