"""The node tier: its session fixture (harness.kube_node) and the summary of what is not real."""

from harness.kube_node import kube_node, pytest_terminal_summary  # noqa: F401
