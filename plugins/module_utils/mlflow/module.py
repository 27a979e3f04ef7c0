# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""MlflowModule: the one calling convention of the seven onprem.mlflow.mlflow_* modules.

It builds the AnsibleModule from the shared connection options (client.CONNECTION_ARGUMENT_SPEC,
documented in the doc fragment onprem.mlflow.mlflow) and the module's own, refuses a `workers`
below 1, builds the client, and runs a converge function: converge(client, items, check_mode,
workers, **kwargs). A list module runs it over its list option, a single module over a one-item
list. A ValueError (bad input, refused before any change) or an MlflowError (a failed request)
fails the task with its message, which the converge functions and the client keep free of
passwords and of server answers.
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.common.thread_pool import (
    DEFAULT_WORKERS,
    WORKERS_OPTION,
    workers_problem,
)
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import (
    CONNECTION_ARGUMENT_SPEC,
    MlflowClient,
    MlflowError,
    connection_params,
)


class MlflowModule:
    def __init__(self, options, list_option=None, extra_options=None):
        """`options` are a single module's own options or, with `list_option`, the suboptions of
        that list option (a list module, which also gets `workers`); `extra_options` are a list
        module's other options."""
        spec = dict(CONNECTION_ARGUMENT_SPEC)
        if list_option:
            spec[list_option] = dict(type="list", elements="dict", required=True, options=options)
            spec["workers"] = dict(WORKERS_OPTION)
        else:
            spec.update(options)
        spec.update(extra_options or {})
        self.options, self.list_option = options, list_option
        self.module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
        self.params = self.module.params
        problem = workers_problem(self.params.get("workers"))
        if problem:
            self.module.fail_json(msg=problem, changed=False)
        self.client = MlflowClient(**connection_params(self.params))

    def converge(self, converge, items, **kwargs):
        try:
            return converge(self.client, items, self.module.check_mode, self.params.get("workers") or DEFAULT_WORKERS,
                            **kwargs)
        except ValueError as exc:
            self.module.fail_json(msg=str(exc), changed=False)
        except MlflowError as exc:
            self.module.fail_json(msg=str(exc), changed=False, status=exc.status, error_code=exc.error_code)

    def run_list(self, converge, result_key, **kwargs):
        """A list module's run: exits with the converge's per-item results under `result_key`."""
        result = self.converge(converge, self.params[self.list_option], **kwargs)
        self.module.exit_json(changed=result["changed"], diff=result["diff"], **{result_key: result[result_key]})

    def run_single(self, converge, result_key, diff_key, **kwargs):
        """A single module's run over a one-item list: (the item's result, its diff before, after),
        the diff parts None when nothing changed. `diff_key(item)` is the item's key in the diff."""
        item = dict((name, self.params[name]) for name in self.options)
        result = self.converge(converge, [item], **kwargs)
        key = diff_key(item)
        return result[result_key][0], result["diff"]["before"].get(key), result["diff"]["after"].get(key)

    def exit(self, changed, before, after, **returns):
        self.module.exit_json(changed=changed, diff=dict(before=before, after=after), **returns)
