#!/bin/sh
# Create MLflow's application user and databases (bootstrap.sql), once PostgreSQL answers.
# PGHOST, PGPORT, PGUSER, PGPASSWORD, APP_USER, APP_PASSWORD, TRACKING_DB and AUTH_DB come
# from the Job's environment; the passwords from the Secret, never from the command line.
set -eu
tries=0
# `kubectl apply -k` starts this Job together with the StatefulSet: wait for the server.
until pg_isready --quiet --dbname=postgres; do
  tries=$((tries + 1))
  if [ "$tries" -ge 150 ]; then
    echo "PostgreSQL at $PGHOST:$PGPORT did not answer within 5 minutes" >&2
    exit 1
  fi
  sleep 2
done
exec psql --no-psqlrc --set=ON_ERROR_STOP=1 --dbname=postgres --file="$(dirname "$0")/bootstrap.sql"
