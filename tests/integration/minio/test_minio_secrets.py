"""A -vvv run of every MinIO module prints none of the secrets it handles."""

import secrets


def test_verbose_run_prints_no_secret(minio_play, minio_server, unique):
    user_secret, sa_secret, rotated = (secrets.token_urlsafe(20) for _ in range(3))
    names = {"bucket": unique("vvv"), "user": unique("vvvuser"), "sa": unique("vvvsa"), "policy": unique("vvvpol")}
    tasks = """
        - onprem.mlflow.minio_bucket:
            name: "{{ bucket }}"
            endpoint_url: "{{ endpoint }}"
            login_access_key: "{{ root_user }}"
            login_secret_key: "{{ root_secret }}"
          diff: true
        - onprem.mlflow.minio_policy: {name: "{{ policy }}", policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"}
          diff: true
        - onprem.mlflow.minio_user:
            {access_key: "{{ user }}", secret_key: "{{ user_secret }}", policies: ["{{ policy }}"]}
          diff: true
        - onprem.mlflow.minio_service_account:
            access_key: "{{ sa }}"
            secret_key: "{{ sa_secret }}"
            user: "{{ user }}"
            policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"
          diff: true
        - name: Rotate both secrets
          onprem.mlflow.minio_user: {access_key: "{{ user }}", secret_key: "{{ rotated }}"}
          diff: true
        - onprem.mlflow.minio_service_account: {access_key: "{{ sa }}", secret_key: "{{ rotated }}",
                                                policy: "{{ bucket | onprem.mlflow.minio_bucket_policy }}"}
          diff: true
          register: rotated_sa
        - ansible.builtin.assert: {that: [rotated_sa.secret_changed]}
        - name: A failure with the wrong secret
          onprem.mlflow.minio_user: {access_key: "{{ user }}", login_secret_key: "{{ user_secret }}"}
          ignore_errors: true
        """
    # The root credentials are module options in the first task (then the environment), the tenant
    # secrets extra vars.
    result = minio_play(tasks, verbosity=3, extra_vars={
        **names, "endpoint": minio_server.endpoint, "root_user": minio_server.access_key,
        "root_secret": minio_server.secret_key, "user_secret": user_secret, "sa_secret": sa_secret,
        "rotated": rotated})
    assert result.rc == 0, result.output
    assert result.changed >= 6, result.output
    assert "<127.0.0.1>" in result.output or "ESTABLISH LOCAL CONNECTION" in result.output  # really -vvv
    for secret in (minio_server.secret_key, user_secret, sa_secret, rotated):
        assert secret not in result.output
