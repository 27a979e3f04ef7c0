#!/usr/bin/python
# Copyright: contributors to onprem.mlflow
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: manifest_dir
short_description: Write Kubernetes objects to a directory as a kustomization, one file per object
description:
  - Writes each object of O(manifests) to C(PATH/<kind>-<name>.yaml) (kind in lower case) and a
    C(kustomization.yaml) that lists those files and the entries of O(resources), in that order.
  - Files of Secrets get mode V(0600), every other file V(0644). A file is rewritten only when its content
    changes, so a second run with the same objects reports no change and leaves the files byte-identical.
  - With O(prune), YAML files in PATH that are no longer rendered (an object removed from the list) are deleted;
    other files and subdirectories are left alone.
  - This is the render path of role onprem.mlflow.platform (C(kubectl apply -k PATH) applies the result). One task
    writes a whole component, with no per-file Ansible overhead.
version_added: 0.1.0
author:
  - onprem.mlflow contributors (@onprem-mlflow)
options:
  path:
    description:
      - Directory to write to. Created (mode V(0755)) when missing.
    type: path
    required: true
  manifests:
    description:
      - The Kubernetes objects, each a mapping with at least C(kind) and C(metadata.name). The module never
        returns their content, but they may hold Secrets, so set C(no_log) on the task when they do (Ansible shows
        a module's arguments at higher verbosity).
    type: list
    elements: dict
    default: []
  resources:
    description:
      - Further entries of the kustomization's C(resources), after the files (for example subdirectories that hold
        their own kustomization).
    type: list
    elements: str
    default: []
  header:
    description:
      - A comment written at the top of each file (without the leading C(#)).
    type: str
    default: Rendered by onprem.mlflow; change the inventory and render again rather than editing this file.
  prune:
    description:
      - Delete C(*.yaml) files of PATH that this run did not write.
    type: bool
    default: true
extends_documentation_fragment:
  - onprem.mlflow.attributes
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    details: In check mode nothing is written or deleted; the result says what would change.
  diff_mode:
    details: The diff lists the file names written and deleted, never their content (they may hold Secrets).
"""

EXAMPLES = r"""
- name: Write the PostgreSQL objects for kubectl apply -k
  onprem.mlflow.manifest_dir:
    path: "{{ playbook_dir }}/../build/manifests/postgres"
    manifests: "{{ postgres_objects }}"
  no_log: true  # the list holds a Secret

- name: Write the top-level kustomization
  onprem.mlflow.manifest_dir:
    path: "{{ playbook_dir }}/../build/manifests"
    resources:
      - storage
      - postgres
    prune: false
"""

RETURN = r"""
files:
  description: The file names written or kept, kustomization.yaml included, in kustomization order.
  returned: always
  type: list
  elements: str
  sample: [secret-postgres-credentials.yaml, statefulset-postgres.yaml, kustomization.yaml]
written:
  description: The file names whose content changed (or would change in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: The file names deleted by O(prune).
  returned: always
  type: list
  elements: str
"""

import os
import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.onprem.mlflow.plugins.module_utils.common.files import atomic_write

try:
    import yaml
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    yaml = None

NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def _dumper():
    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper, value):
        # Scripts, SQL and ini files in ConfigMaps read as written: literal blocks.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    # Never emit &anchors/*aliases for values shared between objects.
    Dumper.ignore_aliases = lambda self, data: True
    return Dumper


def to_plain(value):
    """Ansible hands tagged str/dict/list subclasses; SafeDumper wants the plain types."""
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def render(obj, header, dumper):
    body = yaml.dump(to_plain(obj), Dumper=dumper, sort_keys=False, default_flow_style=False, width=1000,
                     allow_unicode=True)
    return "# %s\n%s" % (header, body)


def kustomization(entries, header, dumper):
    doc = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": entries}
    return render(doc, header, dumper)


def file_name(obj):
    kind = str(obj.get("kind") or "")
    name = str((obj.get("metadata") or {}).get("name") or "")
    if not kind or not NAME.match(name):
        return None
    return "%s-%s.yaml" % (kind.lower(), name)


def read(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            manifests=dict(type="list", elements="dict", default=[]),
            resources=dict(type="list", elements="str", default=[]),
            header=dict(
                type="str",
                default="Rendered by onprem.mlflow; change the inventory and render again "
                "rather than editing this file.",
            ),
            prune=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    if yaml is None:
        module.fail_json(msg="PyYAML is required on the host that renders the manifests (it comes with ansible-core).")
    path = module.params["path"]
    header = module.params["header"].replace("\n", " ")
    dumper = _dumper()

    wanted = {}
    modes = {}
    for index, obj in enumerate(module.params["manifests"]):
        name = file_name(obj)
        if name is None:
            module.fail_json(msg="Object %d of manifests has no kind or no valid metadata.name (a DNS-1123 name); "
                                 "fix the template that produced it." % index)
        if name in wanted:
            module.fail_json(msg="Two objects would both be written to %s: kind and name must be unique in one "
                                 "directory." % name)
        wanted[name] = render(obj, header, dumper)
        modes[name] = 0o600 if obj.get("kind") == "Secret" else 0o644
    entries = list(wanted) + list(module.params["resources"])
    wanted["kustomization.yaml"] = kustomization(entries, header, dumper)
    modes["kustomization.yaml"] = 0o644

    written = []
    for name, content in wanted.items():
        target = os.path.join(path, name)
        current = read(target)
        mode_ok = current is not None and (os.stat(target).st_mode & 0o777) == modes[name]
        if current == content and mode_ok:
            continue
        written.append(name)
        if not module.check_mode:
            if not os.path.isdir(path):
                os.makedirs(path, mode=0o755)
            atomic_write(target, content, modes[name])

    removed = []
    if module.params["prune"] and os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            if name.endswith(".yaml") and name not in wanted and os.path.isfile(full):
                removed.append(name)
                if not module.check_mode:
                    os.unlink(full)

    changed = bool(written or removed)
    result = dict(changed=changed, files=list(wanted), written=written, removed=removed)
    if module._diff:
        result["diff"] = dict(
            before="files written: none\nfiles removed: none\n",
            after="files written: %s\nfiles removed: %s\n" % (
                ", ".join(written) or "none", ", ".join(removed) or "none"),
            before_header=path,
            after_header=path,
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
