"""onprem.mlflow.mlflow_workspace and mlflow_workspaces against the real MLflow server."""

from __future__ import annotations

from harness.playbook import run_playbook
from mlflow_helpers import admin_env, get_workspace

LIFECYCLE = """
- name: mlflow_workspace lifecycle
  hosts: all
  gather_facts: false
  tasks:
    - name: Create in check mode
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: first
      check_mode: true
      register: r
    - name: Check mode reports the creation
      ansible.builtin.assert:
        that:
          - r.changed
          - r.workspace.name == ws
          - r.actions == ['created']
    - name: Check mode created nothing
      ansible.builtin.uri:
        url: "{{ url }}/api/3.0/mlflow/workspaces/{{ ws }}"
        url_username: admin
        url_password: "{{ admin_pw }}"
        force_basic_auth: true
        status_code: 404

    - name: Create
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: first
        default_artifact_root: /srv/artifacts/one
      register: r
    - name: Created
      ansible.builtin.assert:
        that:
          - r.changed
          - "r.workspace == {'name': ws, 'description': 'first', 'default_artifact_root': '/srv/artifacts/one'}"

    - name: Same again
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: first
        default_artifact_root: /srv/artifacts/one
      register: r
    - name: Unchanged
      ansible.builtin.assert:
        that:
          - not r.changed

    - name: Unset options leave the fields alone
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
      register: r
    - name: Unchanged with no fields
      ansible.builtin.assert:
        that:
          - not r.changed
          - r.workspace.description == 'first'

    - name: Drift in check mode
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: second
        default_artifact_root: /srv/artifacts/two
      check_mode: true
      register: r
    - name: Check mode reports the update
      ansible.builtin.assert:
        that:
          - r.changed
          - r.actions == ['updated default_artifact_root, description']
    - name: Read the workspace after check mode
      ansible.builtin.uri:
        url: "{{ url }}/api/3.0/mlflow/workspaces/{{ ws }}"
        url_username: admin
        url_password: "{{ admin_pw }}"
        force_basic_auth: true
      register: got
    - name: Check mode updated nothing
      ansible.builtin.assert:
        that:
          - got.json.workspace.description == 'first'

    - name: Update in place
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: second
        default_artifact_root: /srv/artifacts/two
      register: r
    - name: Updated
      ansible.builtin.assert:
        that:
          - r.changed
          - r.workspace.description == 'second'
          - r.workspace.default_artifact_root == '/srv/artifacts/two'

    - name: Clear the description
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        description: ""
      register: r
    - name: Cleared
      ansible.builtin.assert:
        that:
          - r.changed
          - r.workspace.description == ''
          - r.actions == ['updated description']

    - name: Delete in check mode
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        state: absent
      check_mode: true
      register: r
    - name: Check mode reports the deletion
      ansible.builtin.assert:
        that:
          - r.changed
          - r.workspace == {}

    - name: Delete the empty workspace
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        state: absent
      register: r
    - name: Deleted
      ansible.builtin.assert:
        that:
          - r.changed
          - r.actions == ['deleted']

    - name: Delete again
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        state: absent
      register: r
    - name: Nothing to delete
      ansible.builtin.assert:
        that:
          - not r.changed
"""


def test_workspace_lifecycle_and_diff(mlflow_server, uniq):
    ws = f"life-{uniq}"
    result = run_playbook(LIFECYCLE, env=admin_env(mlflow_server), diff=True, extra_vars={
        "ws": ws, "url": mlflow_server.url, "admin_pw": mlflow_server.admin_password})
    assert result.rc == 0, result.output[-6000:]
    assert result.changed == 7, result.output[-6000:]  # 3 check-mode tasks + create, update, clear, delete
    assert get_workspace(mlflow_server, ws) is None
    lines = result.output.splitlines()
    for line in ("-    description: first", "+    description: second",
                 "-    default_artifact_root: /srv/artifacts/one", "+    default_artifact_root: /srv/artifacts/two",
                 "+    name: " + ws, "-    name: " + ws):
        assert line in lines, line


DELETE = """
- name: Delete a workspace
  hosts: all
  gather_facts: false
  tasks:
    - name: Delete
      onprem.mlflow.mlflow_workspace:
        name: "{{ ws }}"
        state: absent
        purge: "{{ purge }}"
"""


def test_workspace_with_experiments_is_deleted_only_with_purge(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    ws = f"data-{uniq}"
    status, _ = mlflow_server.request("POST", "/api/3.0/mlflow/workspaces", {"name": ws})
    assert status == 201
    header = {"X-MLFLOW-WORKSPACE": ws}
    status, body = mlflow_server.request("POST", "/api/2.0/mlflow/experiments/create", {"name": "keep-me"},
                                         headers=header)
    assert status == 200, body
    experiment_id = body["experiment_id"]
    # A deleted experiment is still data of the workspace (it can be restored): it counts too.
    status, _ = mlflow_server.request("POST", "/api/2.0/mlflow/experiments/delete",
                                      {"experiment_id": experiment_id}, headers=header)
    assert status == 200

    refused = run_playbook(DELETE, env=env, extra_vars={"ws": ws, "purge": False})
    assert refused.rc != 0
    assert f"workspace {ws} still holds experiments" in refused.output
    assert "purge=true" in refused.output
    assert get_workspace(mlflow_server, ws) is not None

    # The list form checks every entry before the first change: a later refusal stops an earlier deletion.
    other = f"empty-{uniq}"
    assert mlflow_server.request("POST", "/api/3.0/mlflow/workspaces", {"name": other})[0] == 201
    bulk = run_playbook("""
- name: Bulk delete
  hosts: all
  gather_facts: false
  tasks:
    - name: Delete two
      onprem.mlflow.mlflow_workspaces:
        workspaces:
          - {name: "{{ other }}", state: absent}
          - {name: "{{ ws }}", state: absent}
""", env=env, extra_vars={"ws": ws, "other": other})
    assert bulk.rc != 0 and f"workspace {ws} still holds" in bulk.output
    assert get_workspace(mlflow_server, other) is not None

    check = run_playbook(DELETE, env=env, check=True, extra_vars={"ws": ws, "purge": True})
    assert check.rc == 0 and check.changed == 1, check.output[-3000:]
    assert get_workspace(mlflow_server, ws) is not None

    purged = run_playbook(DELETE, env=env, extra_vars={"ws": ws, "purge": True})
    assert purged.rc == 0 and purged.changed == 1, purged.output[-3000:]
    assert get_workspace(mlflow_server, ws) is None
    # CASCADE deleted the experiment with it; nothing went to the shared default workspace.
    status, body = mlflow_server.request("POST", "/api/2.0/mlflow/experiments/search",
                                         {"max_results": 1000, "view_type": "ALL"},
                                         headers={"X-MLFLOW-WORKSPACE": "default"})
    assert status == 200
    assert experiment_id not in [e["experiment_id"] for e in body.get("experiments", [])]
    assert run_playbook(DELETE, env=env, extra_vars={"ws": other, "purge": False}).changed == 1


BULK = """
- name: mlflow_workspaces
  hosts: all
  gather_facts: false
  tasks:
    - name: Converge
      onprem.mlflow.mlflow_workspaces:
        workspaces: "{{ workspaces }}"
"""


def test_workspaces_bulk(mlflow_server, uniq):
    env = admin_env(mlflow_server)
    names = [f"bulk{i}-{uniq}" for i in range(3)]
    wanted = [{"name": n, "description": f"team {n}", "default_artifact_root": f"/srv/{n}"} for n in names]
    check = run_playbook(BULK, env=env, check=True, extra_vars={"workspaces": wanted})
    assert check.rc == 0 and check.changed == 1, check.output[-3000:]
    assert all(get_workspace(mlflow_server, n) is None for n in names)

    assert run_playbook(BULK, env=env, extra_vars={"workspaces": wanted}).changed == 1
    assert get_workspace(mlflow_server, names[1]) == {"name": names[1], "description": f"team {names[1]}",
                                                      "default_artifact_root": f"/srv/{names[1]}"}
    assert run_playbook(BULK, env=env, extra_vars={"workspaces": wanted}).changed == 0

    wanted[0]["description"] = "renamed"
    bad = [*wanted, {"name": "Not_A_Label"}]
    failed = run_playbook(BULK, env=env, extra_vars={"workspaces": bad})
    assert failed.rc != 0 and "workspace name 'Not_A_Label' is invalid" in failed.output
    assert get_workspace(mlflow_server, names[0])["description"] == f"team {names[0]}"

    diff = run_playbook(BULK, env=env, diff=True, extra_vars={"workspaces": wanted})
    assert diff.rc == 0 and diff.changed == 1
    lines = diff.output.splitlines()
    assert f"-        description: team {names[0]}" in lines
    assert "+        description: renamed" in lines
    gone = [{"name": n, "state": "absent"} for n in names]
    assert run_playbook(BULK, env=env, extra_vars={"workspaces": gone}).changed == 1
    assert all(get_workspace(mlflow_server, n) is None for n in names)
