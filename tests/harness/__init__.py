"""The test harness: real servers (PostgreSQL, MLflow, MinIO, a Kubernetes control plane)
started on loopback for the test suite, and the helpers to drive playbooks against them.

One module per server; `procs` holds what they share (ports, processes, waiting), `gobuild`
builds the Go servers once into a cache outside the repository.
"""
