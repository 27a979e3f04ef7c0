"""onprem.mlflow.persisted_secrets run as Ansible runs it (no server needed): fingerprints of
given passwords are matched, recorded only when asked, never hold the value, and check mode
writes nothing."""

from __future__ import annotations

import json

from harness.playbook import run_playbook

PLAYBOOK = """
- name: Fingerprints of given passwords
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Compare (and with record, keep) the fingerprints
      onprem.mlflow.persisted_secrets:
        path: "{{ secrets_dir }}"
        fingerprints: "{{ given }}"
        record: "{{ record }}"
        absent: "{{ forget }}"
      register: kept
      no_log: true
    - name: Write what the module said, without values
      ansible.builtin.copy:
        content: "{{ {'unchanged': kept.unchanged, 'recorded': kept.recorded, 'deleted': kept.deleted,
                      'changed': kept.changed} | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
      check_mode: false
"""


def run(tmp_path, given, record, forget=(), check=False):
    playbook = tmp_path / "fingerprints.yml"
    playbook.write_text(PLAYBOOK)
    result_file = tmp_path / "result.json"
    result = run_playbook(playbook, extra_vars={"secrets_dir": str(tmp_path / "secrets"), "given": given,
                                                "record": record, "forget": list(forget),
                                                "result_file": str(result_file)}, check=check)
    assert result.rc == 0, result.output[-3000:]
    for value in given.values():
        assert value not in result.output
    return json.loads(result_file.read_text())


def test_fingerprints_are_recorded_after_apply_and_recognised_next_time(tmp_path):
    given = {"mlflow-password/alice@lab.example": "alice-password-1", "mlflow-password/bob": "bob-password-01"}
    # Compare only: nothing kept yet, nothing written.
    assert run(tmp_path, given, record=False) == {"unchanged": [], "recorded": [], "deleted": [], "changed": False}
    assert not (tmp_path / "secrets").exists()
    # Check mode with record reports what it would write and writes nothing.
    assert run(tmp_path, given, record=True, check=True)["recorded"] == sorted(given)
    assert not (tmp_path / "secrets").exists()
    first = run(tmp_path, given, record=True)
    assert first["recorded"] == sorted(given) and first["changed"]
    kept = tmp_path / "secrets" / "mlflow-password" / "alice@lab.example"
    assert kept.stat().st_mode & 0o777 == 0o600
    assert "alice-password-1" not in kept.read_text()
    # The same values: unchanged, and a second record run changes nothing.
    assert run(tmp_path, given, record=True) == {"unchanged": sorted(given), "recorded": [], "deleted": [],
                                                 "changed": False}
    # A new password for bob is not recognised until it is recorded again.
    given["mlflow-password/bob"] = "bob-password-02"
    assert run(tmp_path, given, record=False)["unchanged"] == ["mlflow-password/alice@lab.example"]
    assert run(tmp_path, given, record=True)["recorded"] == ["mlflow-password/bob"]
    # Forgetting one removes its file; missing ones are fine.
    done = run(tmp_path, {}, record=True, forget=["mlflow-password/bob", "mlflow-password/nobody"])
    assert done["deleted"] == ["mlflow-password/bob"] and done["changed"]
    assert not (tmp_path / "secrets" / "mlflow-password" / "bob").exists()
