"""The EXAMPLES of every MLflow module, run as written against the real server (with the example
URL and names rewritten to this server and this test), twice: they work and a re-run changes nothing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from harness.playbook import run_playbook
from mlflow_helpers import admin_env, new_password

MODULES = Path(__file__).resolve().parents[3] / "plugins" / "modules"
# Users first, then workspaces, then memberships: the order a tenant playbook runs them in.
ORDER = ["mlflow_users", "mlflow_user", "mlflow_workspaces", "mlflow_workspace", "mlflow_workspace_members",
         "mlflow_workspace_member"]
NAMES = re.compile(r"\b(team-a-jobs|team-a|team-b|team-old|alice|bob|carol|mallory)\b")


def examples(module: str) -> str:
    tree = ast.parse((MODULES / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "EXAMPLES":
            return node.value.value
    raise AssertionError(f"{module} has no EXAMPLES")


def test_examples_work_and_are_idempotent(mlflow_server, uniq):
    tasks = []
    for module in ORDER:
        text = examples(module).replace("https://mlflow.example.com", mlflow_server.url)
        text = NAMES.sub(lambda m: f"ex{uniq}-{m.group(1)}", text)
        parsed = yaml.safe_load(text)
        assert parsed, module
        for task in parsed:
            # A block (the module_defaults example) holds the module among its tasks.
            assert any(f"onprem.mlflow.{module}" in t for t in task.get("block", [task])), task
        tasks += parsed
    play = yaml.safe_dump([{"name": "Module examples", "hosts": "all", "gather_facts": False, "tasks": tasks}],
                          sort_keys=False)
    extra = {"mlflow_admin_password": mlflow_server.admin_password, "alice_mlflow_password": new_password(),
             "bob_mlflow_password": new_password(), "team_a_jobs_password": new_password()}
    # One example takes its connection from the environment, as documented.
    first = run_playbook(play, env=admin_env(mlflow_server), extra_vars=extra)
    assert first.rc == 0, first.output[-5000:]
    # users, bob's admin flag, workspaces, members, bob's membership; the rest repeat each other
    assert first.changed == 5, first.output[-5000:]
    again = run_playbook(play, env=admin_env(mlflow_server), extra_vars=extra)
    assert again.rc == 0, again.output[-5000:]
    assert again.changed == 0, again.output[-5000:]
    status, body = mlflow_server.request("GET", f"/api/3.0/mlflow/users/roles/list?username=ex{uniq}-alice")
    assert status == 200
    assert sorted((r["workspace"], r["name"]) for r in body["roles"]) == [
        (f"ex{uniq}-team-a", "admin"), (f"ex{uniq}-team-b", "admin")]
