-- MLflow's application user and its two databases, idempotently: every CREATE first checks
-- the catalogue (\gexec runs the statement only when the SELECT returns it), so the Job can
-- run again after any change, and a second run changes nothing but the password it re-sets.
\getenv app_user APP_USER
\getenv app_password APP_PASSWORD
\getenv tracking_db TRACKING_DB
\getenv auth_db AUTH_DB

-- The application user: logs in, owns MLflow's databases, and nothing more.
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = :'app_user')\gexec
-- Re-set the attributes and the password from the Secret: a rotated Secret takes effect here.
ALTER ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';

-- The tracking store and the auth store, both owned by the application user.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L', :'tracking_db', :'app_user', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'tracking_db')\gexec
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L', :'auth_db', :'app_user', 'UTF8')
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = :'auth_db')\gexec

-- Only their owner (and the superuser) may connect to them.
REVOKE ALL ON DATABASE :"tracking_db" FROM PUBLIC;
REVOKE ALL ON DATABASE :"auth_db" FROM PUBLIC;
