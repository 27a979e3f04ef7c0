#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: env_files
short_description: Write many KEY=value environment files at once
description:
  - Writes one file C(PATH/NAME.env) per entry of O(files), one C(KEY=value) line per variable in sorted order,
    mode V(0600), in a directory of mode V(0700). A file that already has that content is left alone.
  - The files work unchanged with C(set -a; . ./NAME.env), C(docker run --env-file) and
    C(kubectl create secret generic --from-env-file).
  - Files are written atomically, so an interrupted run leaves the old content or the new one.
  - Role onprem.mlflow.tenants hands each team its connection settings with it when no cluster is configured.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  path:
    description:
      - Directory of the files. Created (mode V(0700)) when missing.
    type: path
    required: true
  files:
    description:
      - File name (without C(.env)) to its variables. Names are letters, digits, C(.), C(_) and C(-).
      - Keys are shell variable names; values must not contain line breaks, quotes, C($), C(`), C(\\) or spaces
        (they are written unquoted).
    type: dict
    default: {}
  absent:
    description:
      - File names (without C(.env)) to delete.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - onprem.mlflow.attributes
  - ansible.builtin.action_common_attributes
attributes:
  diff_mode:
    details: The diff names the files and keys that change, never a value.
"""

EXAMPLES = r"""
- name: Connection settings of each team
  onprem.mlflow.env_files:
    path: "{{ playbook_dir }}/../build/credentials"
    files:
      team-a:
        MLFLOW_TRACKING_URI: https://mlflow.example.com
        MLFLOW_TRACKING_USERNAME: team-a-workload
        MLFLOW_TRACKING_PASSWORD: "{{ team_a_password }}"
    absent:
      - old-team
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
written:
  description: Names of the files written by this run.
  returned: always
  type: list
  elements: str
  sample: [team-a]
deleted:
  description: Names of the files deleted by this run.
  returned: always
  type: list
  elements: str
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.common.files import atomic_write, private_dir

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNSAFE = re.compile(r"[\s'\"$`\\]")


def problems_of(files, absent):
    problems = []
    for name in list(files) + list(absent):
        if not _NAME.match(name):
            problems.append("file name %r must be letters, digits, '.', '_' and '-'" % name)
    for name, variables in files.items():
        if not isinstance(variables, dict):
            problems.append("files.%s must be a mapping of variables" % name)
            continue
        for key, value in variables.items():
            if not _KEY.match(str(key)):
                problems.append("files.%s: %r is not a variable name" % (name, key))
            elif value is None or _UNSAFE.search(str(value)):
                # Never echo the value: it may be a secret.
                problems.append("files.%s: the value of %s is empty or holds a space, quote, '$', '`', '\\' or "
                                "line break" % (name, key))
    both = sorted(set(files) & set(absent))
    if both:
        problems.append("files both written and absent: %s" % ", ".join(both))
    return problems


def render(variables):
    return "".join("%s=%s\n" % (key, variables[key]) for key in sorted(variables))


def current_keys(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            files=dict(type="dict", default={}, no_log=True),
            absent=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    root, files, absent = module.params["path"], module.params["files"], module.params["absent"]
    problems = problems_of(files, absent)
    if problems:
        module.fail_json(msg="; ".join(problems))

    written, deleted, before, after = [], [], {}, {}
    try:
        if files and not module.check_mode:
            private_dir(root)
        for name in sorted(files):
            path = os.path.join(root, name + ".env")
            text = render(files[name])
            old = None
            if os.path.isfile(path):
                with open(path) as handle:
                    old = handle.read()
            mode_ok = old is not None and not os.stat(path).st_mode & 0o077
            if old == text and mode_ok:
                continue
            written.append(name)
            old_vars = current_keys(old or "")
            changed_keys = sorted(k for k in set(old_vars) | set(files[name])
                                  if old_vars.get(k) != (str(files[name][k]) if k in files[name] else None))
            before[name] = sorted(old_vars) if old is not None else None
            after[name] = {"keys": sorted(files[name]), "changed": changed_keys}
            if not module.check_mode:
                atomic_write(path, text)
        for name in sorted(set(absent)):
            path = os.path.join(root, name + ".env")
            if os.path.lexists(path):
                deleted.append(name)
                before[name] = "present"
                after[name] = None
                if not module.check_mode:
                    os.unlink(path)
    except OSError as exc:
        module.fail_json(msg="cannot write the environment files in %s: %s" % (root, exc.strerror or exc),
                         written=written, deleted=deleted)
    module.exit_json(changed=bool(written or deleted), written=written, deleted=deleted,
                     diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
