#!/usr/bin/env python3
"""How long a no-op re-run of playbooks/site.yml takes in apply mode, and how many tasks it runs.

    .venv/bin/python benchmarks/noop_apply.py --runs 3

Starts the test harness's real Kubernetes control plane (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler; KWOK nodes named after the inventory's k8s_nodes, as
the cluster tier does: tests/harness/kube_cluster.py), applies site.yml with the example
inventory once (the first install, which waits for each component), then times N re-runs that
change nothing. --limit localhost, as in the cluster tier: the node preparation play would SSH
to the inventory's nodes.

The clock is wall time of the whole ansible-playbook process; the tasks are those the default
callback announces (TASK [...] lines, skipped ones included). Prints a Markdown table;
--markdown FILE writes it too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness.kube_cluster import node_names, start_cluster  # noqa: E402

SITE = ROOT / "playbooks" / "site.yml"
INVENTORY = ROOT / "inventories" / "example"
TASK_LINE = re.compile(r"^TASK \[", re.M)


def site(kubeconfig: Path) -> tuple[float, str, int, int]:
    """One site.yml run in apply mode: (seconds, output, changed, tasks)."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
               K8S_AUTH_KUBECONFIG=str(kubeconfig),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("K8S_AUTH_CONTEXT", None)
    start = time.monotonic()
    proc = subprocess.run([str(Path(sys.executable).with_name("ansible-playbook")), str(SITE),
                           "-i", str(INVENTORY), "--limit", "localhost"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        sys.exit("ansible-playbook failed:\n" + output[-6000:])
    changed = sum(int(m) for m in re.findall(r"changed=(\d+)", output.rsplit("PLAY RECAP", 1)[-1]))
    return elapsed, output, changed, len(TASK_LINE.findall(output))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="no-op re-runs to time (default 3)")
    parser.add_argument("--markdown", type=Path, help="also write the result table to this file")
    args = parser.parse_args()

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="onprem-mlflow-noop-"))
    cluster = start_cluster(workdir, node_names())
    rows = []
    try:
        runs = [("first install", *site(cluster.kubeconfig))]
        for index in range(args.runs):
            runs.append((f"no-op re-run {index + 1}", *site(cluster.kubeconfig)))
        for label, seconds, output, changed, tasks in runs:
            slowest = [line.strip() for line in output.rsplit("TASKS RECAP", 1)[-1].splitlines()
                       if line.rstrip().endswith("s")][:5]
            print("%-20s %7.1f s  tasks %3d  changed=%d" % (label, seconds, tasks, changed), flush=True)
            for line in slowest:
                print("    " + line, flush=True)
            rows.append((label, seconds, tasks, changed))
    finally:
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg()

    table = ["| run | wall time | tasks | changed |", "| --- | ---: | ---: | ---: |"]
    table += ["| %s | %.1f s | %d | %d |" % row for row in rows]
    noops = [row[1] for row in rows[1:]]
    if noops:
        table.append("| no-op, median of %d | %.1f s | %d | |" % (len(noops), sorted(noops)[len(noops) // 2],
                                                                 rows[-1][2]))
    text = "\n".join(table) + "\n\nMachine: %d CPU(s), load average %s before the runs, %s after.\n" % (
        os.cpu_count(), " ".join("%.1f" % x for x in load_before), " ".join("%.1f" % x for x in load_after))
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
