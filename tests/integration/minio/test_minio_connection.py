"""The shared connection layer: explicit options, bad credentials, an endpoint that is down, TLS."""

from harness.procs import free_port

TASKS = """
- name: Explicit connection options instead of the environment
  onprem.mlflow.minio_bucket:
    name: "{{ bucket }}"
    endpoint_url: "{{ endpoint }}"
    login_access_key: "{{ access_key }}"
    login_secret_key: "{{ secret_key }}"
    region: us-east-1
    validate_certs: true
  register: explicit
- name: A wrong secret
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", login_secret_key: not-the-root-secret}
  register: bad_secret
  ignore_errors: true
- name: An unknown access key
  onprem.mlflow.minio_user: {access_key: someone, login_access_key: no-such-admin, login_secret_key: whatever-secret}
  register: bad_key
  ignore_errors: true
- name: Nothing listens there
  onprem.mlflow.minio_policy: {name: p, state: absent, endpoint_url: "http://127.0.0.1:{{ closed_port }}"}
  register: down
  ignore_errors: true
- name: Not a URL
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", endpoint_url: "127.0.0.1:9000"}
  register: not_url
  ignore_errors: true
- name: A CA file that does not exist
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", ca_path: /nonexistent/ca.pem}
  register: no_ca
  ignore_errors: true
- name: TLS against a plain HTTP server fails clearly
  onprem.mlflow.minio_bucket: {name: "{{ bucket }}", endpoint_url: "https://127.0.0.1:{{ minio_port }}"}
  register: tls
  ignore_errors: true
- ansible.builtin.assert:
    that:
      - explicit is changed
      - bad_secret is failed
      - "'credentials rejected' in bad_secret.msg"
      - "'SignatureDoesNotMatch' in bad_secret.msg"
      - bad_key is failed
      - "'credentials rejected' in bad_key.msg"
      - "'InvalidAccessKeyId' in bad_key.msg"
      - down is failed
      - "'cannot reach MinIO at http://127.0.0.1:' ~ closed_port in down.msg"
      - not_url is failed
      - "'not an http:// or https:// URL' in not_url.msg"
      - no_ca is failed
      - "'ca_path' in no_ca.msg"
      - tls is failed
      - "'MinIO at https://127.0.0.1' in tls.msg"
"""


def test_connection_errors_are_clear(minio_play, minio_server, unique):
    result = minio_play(TASKS, extra_vars={
        "bucket": unique("conn"), "endpoint": minio_server.endpoint, "access_key": minio_server.access_key,
        "secret_key": minio_server.secret_key, "closed_port": free_port(), "minio_port": minio_server.port})
    assert result.rc == 0, result.output
    assert result.failed == 0
    # The rejected secret is never echoed back.
    assert "not-the-root-secret" not in result.output
