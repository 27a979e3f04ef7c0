# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MinioModule: the one calling convention of the eight MinIO modules.

It builds the AnsibleModule from the shared connection options (documented in the doc fragment
onprem.mlflow.minio) and the module's own, refuses a `workers` below 1, builds the connection and
the admin API, and turns a MinioModuleError (whose message is safe to show) into fail_json.
A list module runs a converge over its list option; a single module over a one-item list.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import (
    DEFAULT_WORKERS,
    WORKERS_OPTION,
    workers_problem,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.admin import MinioAdminApi
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.bulk import list_result, single_result
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.connection import (
    MinioConnection,
    minio_argument_spec,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.minio.errors import MinioModuleError


class MinioModule:
    def __init__(self, options, list_option=None, **kwargs):
        """`options` are the module's own (a single module's) or, with `list_option`, the item
        options of that list option (a list module's, which also gets `workers`)."""
        spec = minio_argument_spec()
        if list_option:
            spec[list_option] = dict(type="list", elements="dict", required=True, options=options)
            spec["workers"] = dict(WORKERS_OPTION)
        else:
            spec.update(options)
        self.options, self.list_option = options, list_option
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True, **kwargs)
        self.params = self.module.params
        problem = workers_problem(self.params.get("workers"))
        if problem:
            self.module.fail_json(msg=problem, changed=False)

    def converge(self, converge, items, **kwargs):
        """converge(conn, admin, items, check_mode, workers, **kwargs); a MinioModuleError fails the module."""
        try:
            conn = MinioConnection(self.module)
            return converge(conn, MinioAdminApi(conn), items, self.module.check_mode,
                            self.params.get("workers") or DEFAULT_WORKERS, **kwargs)
        except MinioModuleError as exc:
            self.module.fail_json(msg=str(exc), changed=False)

    def run_list(self, converge, **kwargs):
        """A list module's run: exits with every item's result under the list option."""
        option = self.list_option
        result = list_result(self.converge(converge, self.params[option], **kwargs), option, _KEYS[option])
        for warning in result.pop("warnings"):
            self.module.warn(warning)
        self.module.exit_json(**result)

    def run_single(self, converge, **kwargs):
        """A single module's run over a one-item list: (the item's result, its diff). The caller
        picks the keys it returns and calls exit()."""
        item = {name: self.params[name] for name in self.options}
        result, diff, warnings = single_result(self.converge(converge, [item], **kwargs))
        for warning in warnings:
            self.module.warn(warning)
        return result, diff

    def exit(self, result, diff):
        if self.module._diff:
            result["diff"] = diff
        self.module.exit_json(**result)


# The key that names an item of each list option.
_KEYS = {"buckets": "name", "policies": "name", "users": "access_key", "service_accounts": "access_key"}
