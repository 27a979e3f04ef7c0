#!/bin/sh
# MinIO bootstrap: MLflow's bucket, MLflow's own user and the policy it runs under.
# Every step is idempotent; credentials come from the environment (Secrets), never from
# arguments of this Job's spec, and nothing here prints them.
set -eu
export MC_CONFIG_DIR=/tmp/mc
# mc reads an alias from MC_HOST_<name>; the generated passwords are letters and digits.
export MC_HOST_platform="http://${MINIO_ROOT_USER}:${MINIO_ROOT_PASSWORD}@${MINIO_ENDPOINT}"

tries=0
# `kubectl apply -k` starts this Job together with MinIO: wait until it serves.
until mc ready platform >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 150 ]; then
    echo "MinIO at ${MINIO_ENDPOINT} was not ready within 5 minutes" >&2
    exit 1
  fi
  sleep 2
done

mc mb --ignore-existing "platform/${BUCKET}"
# `policy create` replaces a policy of the same name, so the policy follows this file.
mc admin policy create platform "${MLFLOW_POLICY}" /bootstrap/mlflow-policy.json
# `user add` sets the secret of an existing user too: a rotated Secret takes effect here.
mc admin user add platform "${MLFLOW_ACCESS_KEY}" "${MLFLOW_SECRET_KEY}" >/dev/null
case "$(mc admin user info platform "${MLFLOW_ACCESS_KEY}" --json)" in
  *"\"policyName\":\"${MLFLOW_POLICY}\""* | *"\"policyName\":\"${MLFLOW_POLICY},"* | *",${MLFLOW_POLICY}\""* | *",${MLFLOW_POLICY},"*)
    echo "policy ${MLFLOW_POLICY} already attached to ${MLFLOW_ACCESS_KEY}" ;;
  *)
    mc admin policy attach platform "${MLFLOW_POLICY}" --user "${MLFLOW_ACCESS_KEY}" ;;
esac
echo "bucket ${BUCKET} and user ${MLFLOW_ACCESS_KEY} are in place"
