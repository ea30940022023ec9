"""The store: tables, engines and migrations, the writers used by crawls and imports, and the
read-only queries used by the audit and the dashboards.

`db` makes engines (SQLite in WAL mode by default, PostgreSQL by URL) and runs Alembic;
`tables` declares the schema; `artifacts` keeps raw responses content-addressed on disk;
`writer` records crawls and observations in batches; `queries` answers the dashboards, with
every count of persons held back by `suppression` where it could point at someone.
"""
