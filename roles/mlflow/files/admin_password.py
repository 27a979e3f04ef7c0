"""Init container of the MLflow pods (after the auth database's migration): make the password of
the platform's admin the one in its Secret.

MLflow reads MLFLOW_AUTH_ADMIN_PASSWORD only when it creates the admin, on an empty auth
database; a later change of the Secret would leave the old password working and the new one
refused. This sets it in the auth database (the same hash MLflow writes) whenever the two
differ, and keeps the user an admin. Until MLflow has created the admin there is nothing to do.
Prints no password.
"""

import os
import sys

from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore


def main():
    username = os.environ["MLFLOW_AUTH_ADMIN_USERNAME"]
    password = os.environ["MLFLOW_AUTH_ADMIN_PASSWORD"]
    store = SqlAlchemyStore()
    store.init_db(os.environ["MLFLOW_AUTH_DATABASE_URI"])  # already at head: the migration ran before
    if not store.has_user(username, use_primary=True):
        print(f"admin user {username!r} does not exist yet: the server creates it with the Secret's password")
        return 0
    user = store.get_user(username)
    if store.authenticate_user(username, password, use_primary=True) and user.is_admin:
        print(f"admin user {username!r}: password and admin flag already as in the Secret")
        return 0
    store.update_user(username, password=password, is_admin=True)
    print(f"admin user {username!r}: password set to the Secret's, admin flag on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
