"""The store boundary on PostgreSQL (psycopg 3 and psycopg_pool): `store.PgStore`, the same interface and
semantics as the SQLite `Store`; `dialect` holds every difference between the two dialects."""
