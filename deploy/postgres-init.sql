-- Run once by the postgres image on a new data directory (docker-entrypoint-initdb.d).
-- The app connects as joren_app, which owns nothing, so PostgreSQL's row-level security
-- applies to it; `joren db upgrade` runs as the owner (joren) and grants joren_app access.
CREATE ROLE joren_app LOGIN PASSWORD 'joren_app' NOSUPERUSER NOBYPASSRLS;
