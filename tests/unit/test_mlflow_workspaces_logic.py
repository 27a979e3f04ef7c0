"""Unit tests of plugins/module_utils/mlflow/workspaces.py with an in-memory server (no MLflow)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.client import MlflowError
from ansible_collections.onprem.mlflow.plugins.module_utils.mlflow.workspaces import (
    converge_workspaces,
    validate_workspace,
)
from mlflow_fake import FakeMlflow


def item(name="team-a", description=None, default_artifact_root=None, state="present", purge=False):
    return dict(name=name, description=description, default_artifact_root=default_artifact_root, state=state,
                purge=purge)


@pytest.mark.parametrize("name", ["a", "Team-a", "team_a", "-team", "team-", "x" * 64, "default", "api",
                                  "static-files"])
def test_bad_names(name):
    assert validate_workspace(item(name)) is not None


@pytest.mark.parametrize("name", ["ab", "team-a", "t1", "x" * 63])
def test_good_names(name):
    assert validate_workspace(item(name)) is None


def test_drift_is_patched_in_place_and_unset_options_are_left_alone():
    fake = FakeMlflow(workspaces=[{"name": "team-a", "description": "old"}])
    result = converge_workspaces(fake, [item(description="new", default_artifact_root="s3://a")], False)
    assert result["changed"]
    assert fake.writes == [("update_workspace", "team-a", {"description": "new", "default_artifact_root": "s3://a"})]
    assert result["diff"]["before"]["team-a"]["description"] == "old"
    fake.calls.clear()
    assert not converge_workspaces(fake, [item()], False)["changed"]
    assert not converge_workspaces(fake, [item(description="new")], False)["changed"]
    assert fake.writes == []


def test_empty_string_equals_an_unset_field():
    fake = FakeMlflow(workspaces=[{"name": "team-a"}])
    assert not converge_workspaces(fake, [item(description="", default_artifact_root="")], False)["changed"]


def test_non_empty_workspace_is_refused_before_any_change_without_purge():
    fake = FakeMlflow(workspaces=[{"name": "empty"}, {"name": "full"}], data={"full"})
    with pytest.raises(ValueError, match=r"workspace full still holds .* purge=true"):
        converge_workspaces(fake, [item("empty", state="absent"), item("full", state="absent")], False)
    assert fake.writes == []


def test_purge_deletes_with_cascade_and_never_set_default():
    fake = FakeMlflow(workspaces=[{"name": "full"}, {"name": "empty"}], data={"full"})
    converge_workspaces(fake, [item("full", state="absent", purge=True), item("empty", state="absent")], False)
    assert fake.writes == [("delete_workspace", "full", "CASCADE"), ("delete_workspace", "empty", "RESTRICT")]


def test_restrict_refusal_from_the_server_becomes_the_same_message():
    class Refusing(FakeMlflow):
        def delete_workspace(self, name, mode):
            raise MlflowError("HTTP 500", 500, "INVALID_STATE")

    fake = Refusing(workspaces=[{"name": "prompts-only"}])
    with pytest.raises(ValueError, match="still holds"):
        converge_workspaces(fake, [item("prompts-only", state="absent")], False)


def test_check_mode_writes_nothing():
    fake = FakeMlflow(workspaces=[{"name": "old"}])
    result = converge_workspaces(fake, [item("new", description="d"), item("old", state="absent")], True)
    assert result["changed"] and fake.writes == []
    assert result["workspaces"][0]["workspace"] == {"name": "new", "description": "d", "default_artifact_root": ""}
