"""Fixtures of the MLflow module tests (helpers live in mlflow_helpers.py)."""

from __future__ import annotations

import secrets

import pytest


@pytest.fixture
def uniq():
    """A short random suffix: tests share the session's MLflow server with other tests."""
    return secrets.token_hex(3)

