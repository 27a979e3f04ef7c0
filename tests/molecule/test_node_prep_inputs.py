"""node_prep without containers: its input checks, and the example inventory's volumes.

Runs ansible-playbook on the controller only. The bad-input cases run the role on localhost in
check mode, and each must stop in the role's checks, before the first package task.
"""

from __future__ import annotations

import json
import re

import pytest
from harness.playbook import ROOT, run_playbook

CASES = {
    "relative_path": (
        {"node_prep_local_volumes": [{"path": "srv/data", "workload": "minio"}]},
        "path must be absolute",
    ),
    "unknown_workload": (
        {"node_prep_local_volumes": [{"path": "/srv/data", "workload": "redis"}]},
        "needs either workload",
    ),
    "octal_mode_as_number": (
        {"node_prep_local_volumes": [{"path": "/srv/data", "owner": "1", "group": "1", "mode": 488}]},
        "mode a quoted octal string",
    ),
    "duplicate_path": (
        {
            "node_prep_local_volumes": [
                {"path": "/srv/data", "workload": "minio"},
                {"path": "/srv/data", "workload": "postgres"},
            ]
        },
        "lists a path twice",
    ),
    "export_without_clients": (
        {
            "node_prep_nfs_server_enabled": True,
            "node_prep_nfs_exports": [{"path": "/srv/nfs", "workload": "minio"}],
        },
        "needs at least one client",
    ),
    "missing_device": (
        {"node_prep_block_devices": [{"device": "/dev/onprem-mlflow-no-such-disk", "fstype": "xfs", "path": "/mnt/x"}]},
        "does not exist on",
    ),
    "unsupported_fstype": (
        {"node_prep_block_devices": [{"device": "/dev/null", "fstype": "ntfs", "path": "/mnt/x"}]},
        "fstype",
    ),
}

BAD_INPUT_PLAY = """
- name: Feed node_prep bad input
  hosts: localhost
  gather_facts: false
  tasks:
{blocks}
    - name: Write the results for the test
      ansible.builtin.copy:
        content: "{{{{ results | to_json }}}}"
        dest: "{out}"
        mode: "0600"
      check_mode: false
"""

BLOCK = """
    - name: Case {name}
      block:
        - name: Run node_prep ({name})
          ansible.builtin.include_role:
            name: onprem.mlflow.node_prep
          vars: {vars}
        - name: Record that {name} passed
          ansible.builtin.set_fact:
            results: "{{{{ results | default({{}}) | combine({{'{name}': 'NO ERROR'}}) }}}}"
      rescue:
        - name: Record the error of {name}
          ansible.builtin.set_fact:
            results: >-
              {{{{ results | default({{}}) | combine({{'{name}': {{'task': ansible_failed_task.name | default(''),
              'msg': ([ansible_failed_result.msg | default('')] + ansible_failed_result.results | default([])
              | map(attribute='msg', default='') | list) | join(' ')}}}}) }}}}
"""


@pytest.fixture(scope="module")
def bad_input_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("node_prep") / "results.json"
    blocks = "".join(BLOCK.format(name=name, vars=json.dumps(spec[0])) for name, spec in CASES.items())
    result = run_playbook(BAD_INPUT_PLAY.format(blocks=blocks, out=out), check=True)
    assert result.rc == 0, result.output
    return json.loads(out.read_text()), result


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_stops_in_the_checks(bad_input_results, case):
    results, _ = bad_input_results
    assert results[case] != "NO ERROR", f"node_prep accepted {CASES[case][0]}"
    assert CASES[case][1] in results[case]["msg"], results[case]
    # Stopped by a check (or the argument spec), never by a task that changes something.
    assert not re.search(r"Install|Create|Mount|Manage|Start", results[case]["task"]), results[case]


def test_bad_input_changed_nothing(bad_input_results):
    _, run = bad_input_results
    # The one change is the test's own results file; the role changed nothing.
    assert run.changed == 1, run.output
    assert "Install the packages" not in run.output


EXAMPLE_PLAY = """
- name: Report node_prep's settings per host
  hosts: k8s_nodes:volume_nodes:nfs_server
  gather_facts: false
  tasks:
    - name: Write each host's settings for the test
      ansible.builtin.copy:
        dest: "%(out)s/host-{{ inventory_hostname }}.json"
        mode: "0600"
        content: >-
          {{ {'host': inventory_hostname, 'node': k8s_node_name | default(inventory_hostname, true),
          'volumes': node_prep_local_volumes | default([]), 'workloads': node_prep_workloads | default({}),
          'server': node_prep_nfs_server_enabled | default(false),
          'exports': node_prep_nfs_exports | default([])} | to_json }}
      delegate_to: localhost
      vars:
        ansible_python_interpreter: "{{ ansible_playbook_python }}"

- name: Render the storage role's PersistentVolumes for the same inventory
  hosts: localhost
  gather_facts: false
  # The shared values the platform role gives every component role before it in site.yml.
  vars_files:
    - "%(root)s/roles/platform/vars/main.yml"
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Write the PersistentVolumes for the test
      ansible.builtin.copy:
        dest: "%(out)s/pvs.json"
        mode: "0600"
        content: >-
          {{ lookup('ansible.builtin.template', '%(root)s/roles/storage/templates/persistentvolume.yaml.j2',
          template_vars={'platform_namespace': 'mlflow', 'storage_nfs_path': '/unused',
          '__storage_nfs_server': 'unused'})
          | from_yaml_all | select | list | to_json }}
"""


def test_example_inventory_volumes_are_where_the_persistent_volumes_point(tmp_path):
    play = EXAMPLE_PLAY % {"root": ROOT, "out": tmp_path}
    result = run_playbook(play, inventory=ROOT / "inventories" / "example")
    assert result.rc == 0, result.output
    hosts = {h["host"]: h for h in (json.loads(p.read_text()) for p in tmp_path.glob("host-*.json"))}
    pvs = json.loads((tmp_path / "pvs.json").read_text())
    assert set(hosts) == {"node-1", "node-2", "node-3", "nfs-1"}, hosts.keys()

    # What each node creates: the entries naming it (or none), as the role filters them.
    created = set()
    for host in hosts.values():
        for volume in host["volumes"]:
            if volume.get("node", host["node"]) == host["node"]:
                created.add((host["node"], volume["path"], volume["workload"]))
    wanted = set()
    for pv in pvs:
        node = pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"][0]
        wanted.add((node, pv["spec"]["local"]["path"], pv["metadata"]["labels"]["app.kubernetes.io/name"]))
    assert created == wanted
    assert len(wanted) == 7  # PostgreSQL on node-1, two MinIO drives on each of three nodes

    # Owners as the workloads run in their images.
    workloads = {name: {k: str(v) for k, v in w.items()} for name, w in hosts["node-1"]["workloads"].items()}
    assert workloads["postgres"] == {"owner": "999", "group": "999", "mode": "0700"}
    assert workloads["minio"] == {"owner": "1000", "group": "1000", "mode": "0750"}

    assert hosts["nfs-1"]["server"] is True
    assert not any(hosts[n]["server"] for n in ("node-1", "node-2", "node-3"))
    assert [e["path"] for e in hosts["nfs-1"]["exports"]] == ["/srv/nfs/onprem-mlflow"]
