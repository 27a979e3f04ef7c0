"""Run the MinIO modules through ansible-playbook against the real MinIO server of the session."""

import secrets
import textwrap

import pytest
from harness.playbook import run_playbook


@pytest.fixture(scope="session")
def unique():
    """fresh(prefix): a new name, so tests sharing the session's server never see each other's objects."""

    def fresh(prefix):
        return "%s-%s" % (prefix, secrets.token_hex(3))

    return fresh


@pytest.fixture(scope="session")
def minio_env(minio_server):
    """The connection, through the documented environment fallbacks of the modules."""
    return {
        "MINIO_ENDPOINT_URL": minio_server.endpoint,
        "MINIO_ACCESS_KEY": minio_server.access_key,
        "MINIO_SECRET_KEY": minio_server.secret_key,
    }


@pytest.fixture(scope="session")
def minio_play(minio_env):
    """Run `tasks` (YAML text of a task list) on localhost as root of the session's MinIO."""

    def play(tasks, extra_vars=None, env=None, **kwargs):
        text = "- hosts: localhost\n  gather_facts: false\n  tasks:\n" + textwrap.indent(textwrap.dedent(tasks), "    ")
        return run_playbook(text, extra_vars=extra_vars, env={**minio_env, **(env or {})}, **kwargs)

    return play


@pytest.fixture(scope="session")
def credentials_accepted(minio_server):
    """accepted(access_key, secret_key): whether MinIO takes these credentials at all.

    An authorised answer or AccessDenied means the signature was good; SignatureDoesNotMatch or
    InvalidAccessKeyId (also a disabled or deleted key) means it was refused.
    """
    from minio.error import S3Error

    def accepted(access_key, secret_key):
        try:
            minio_server.minio(access_key, secret_key).list_buckets()
        except S3Error as exc:
            if exc.code in ("SignatureDoesNotMatch", "InvalidAccessKeyId"):
                return False
            if exc.code == "AccessDenied":
                return True
            raise
        return True

    return accepted
