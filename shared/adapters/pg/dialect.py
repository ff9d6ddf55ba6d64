"""The one place where SQLite's SQL and PostgreSQL's differ: the statements the code writes (in SQLite's
dialect) are translated once each (cached) into PostgreSQL's, and so are the migrations' DDL.

Statements: `?` -> `%s`, `:name` -> `%(name)s`, a literal `%` -> `%%` (psycopg formats every statement);
`INSERT OR IGNORE` -> `INSERT ... ON CONFLICT DO NOTHING`; `INDEXED BY x` (a SQLite planner hint) dropped,
and so is `CROSS` of a `CROSS JOIN t ON` (another);
the scalar `max(a, b)` / `min(a, b)` -> `GREATEST` / `LEAST`; a bare column in an upsert's `DO UPDATE SET`
expression named with its table (`last = last + 1` -> `last = t.last + 1`); SQLite's UTC stamp
`strftime('%Y-%m-%dT%H:%M:%fZ','now')` -> the same text from `now()`; `+column` (SQLite's "use no index
of this column") -> `column`; `json_each(x)` -> `json_array_elements_text(x::json)` under the same names.
DDL besides: `INTEGER` -> `BIGINT` (SQLite's integers are 64-bit), an `INTEGER PRIMARY KEY` (SQLite's rowid
alias, filled in when omitted) -> an identity column, `AUTOINCREMENT` and `WITHOUT ROWID` dropped, `REAL` ->
`DOUBLE PRECISION`, `BLOB` -> `BYTEA`, a `VIRTUAL` generated column -> `STORED`.

BLOB -> BYTEA: the shared tables' BLOB columns receive bytes (outbox key, value and headers, idempotency
bodies, audit entries, timeline details) and are read back as bytes, as on SQLite. A column that receives
text (JSON from `records.to_db`) is to be declared TEXT (on SQLite the declaration changes nothing: a
value is stored as it is given). psycopg binds `str` as `text` here (store.py), so a str bound to a BYTEA
column fails loudly instead of being parsed as bytea's escape format (which would corrupt a backslash).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Tokens a translation must see whole: string literals and quoted names (never rewritten inside, except
# for doubling `%`), placeholders, and a lone `%`.
_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|\?|(?<![:\w]):([A-Za-z_]\w*)|%""")
_UTC_NOW = re.compile(r"strftime\(\s*'%Y-%m-%dT%H:%M:%fZ'\s*,\s*'now'\s*\)", re.IGNORECASE)
PG_UTC_NOW = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)
_INDEXED_BY = re.compile(r"\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)
# SQLite's CROSS JOIN with ON: an inner join whose order the planner keeps; PostgreSQL takes no ON there.
_CROSS_JOIN_ON = re.compile(r"\bCROSS\s+JOIN\s+(\w+(?:\s+(?!ON\b)\w+)?)\s+ON\b", re.IGNORECASE)
_MIN_MAX = re.compile(r"\b(max|min)\s*\(", re.IGNORECASE)
# `+column`: SQLite's way to keep a column's index out of a plan; PostgreSQL has no unary + for text.
_UNARY_PLUS = re.compile(
    r"(\b(?:AND|OR|WHERE|NOT|ON|WHEN|THEN|ELSE|SELECT|BY)\s+|[(,=<>]\s*|^\s*)\+(?=[A-Za-z_])", re.I
)


@lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """A statement as the code writes it (SQLite), as PostgreSQL takes it through psycopg."""
    sql = _insert_or_ignore(sql)
    sql = _INDEXED_BY.sub("", sql)
    sql = _CROSS_JOIN_ON.sub(r"JOIN \1 ON", sql)
    sql = _qualify_upsert(sql)
    sql = _UTC_NOW.sub(PG_UTC_NOW, sql)
    sql = _UNARY_PLUS.sub(r"\1", sql)
    sql = _scalar_min_max(sql)
    sql = _json_each(sql)
    return _placeholders(sql)


_JSON_EACH = re.compile(r"\bjson_each\s*\(", re.IGNORECASE)


def _json_each(sql: str) -> str:
    """`FROM json_each(x)` (a JSON array's elements, read as `json_each.value` or `value`) -> PostgreSQL's
    `json_array_elements_text`, named alike; its values are text."""
    out, at = [], 0
    for match in _JSON_EACH.finditer(sql):
        if match.start() < at:
            continue
        arguments, end = _arguments(sql, match.end())
        if len(arguments) != 1:
            continue
        out.append(
            f"{sql[at : match.start()]}json_array_elements_text(({arguments[0].strip()})::json) AS json_each(value)"
        )
        at = end
    out.append(sql[at:])
    return "".join(out)


_INSERT_INTO = re.compile(r"\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE)
_DO_UPDATE_SET = re.compile(r"\bDO\s+UPDATE\s+SET\b", re.IGNORECASE)
_SET_ENDS = re.compile(r"\s(WHERE|RETURNING)\s", re.IGNORECASE)
_LITERAL = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")""")


def _qualify_upsert(sql: str) -> str:
    """In an upsert's `DO UPDATE SET a = <expression>`, a bare column of the table (`last = last + 1`) is
    the row's on SQLite and ambiguous (the row's or `excluded`'s) on PostgreSQL: named with the table."""
    insert, update = _INSERT_INTO.match(sql), _DO_UPDATE_SET.search(sql)
    if not insert or not update:
        return sql
    table, columns = insert.group(1), [c.strip() for c in insert.group(2).split(",") if c.strip()]
    start = update.end()
    ends = _top_level(sql, start, _SET_ENDS)
    names = "|".join(map(re.escape, columns))
    bare = re.compile(rf"(?<![\w.])(?:{names})\b(?!\s*\()")
    out, assignments = [], _split_top_level(sql[start:ends])
    for assignment in assignments:
        target, equals, expression = assignment.partition("=")
        parts = _LITERAL.split(expression)
        for index in range(0, len(parts), 2):
            parts[index] = bare.sub(lambda m: f"{table}.{m.group(0)}", parts[index])
        out.append(target + equals + "".join(parts))
    return sql[:start] + ",".join(out) + sql[ends:]


def _top_level(sql: str, start: int, pattern: re.Pattern[str]) -> int:
    """Where `pattern` first matches outside brackets and literals from `start` (or the end)."""
    for match in pattern.finditer(sql, start):
        if _depth(sql[start : match.start()]) == 0:
            return match.start()
    return len(sql)


def _depth(text: str) -> int:
    text = _LITERAL.sub("", text)
    return text.count("(") - text.count(")")


def _split_top_level(text: str) -> list[str]:
    pieces, depth, begun, quote = [], 0, 0, None
    for at, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[begun:at])
            begun = at + 1
    pieces.append(text[begun:])
    return pieces


def _placeholders(sql: str) -> str:
    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        if match.group(1):
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")  # a literal: only its `%` change

    return _TOKEN.sub(token, sql)


def _insert_or_ignore(sql: str) -> str:
    if not _OR_IGNORE.search(sql):
        return sql
    sql = _OR_IGNORE.sub("INSERT INTO", sql).rstrip().rstrip(";")
    returning = _RETURNING.search(sql)
    if returning:
        return f"{sql[: returning.start()]} ON CONFLICT DO NOTHING{sql[returning.start() :]}"
    return f"{sql} ON CONFLICT DO NOTHING"


def _scalar_min_max(sql: str) -> str:
    """`max(a, b)` (SQLite's scalar form, two or more arguments) -> GREATEST; the aggregate `max(a)` stays."""
    out, at = [], 0
    for match in _MIN_MAX.finditer(sql):
        if match.start() < at:
            continue
        arguments, end = _arguments(sql, match.end())
        if len(arguments) < 2:
            continue
        name = "GREATEST" if match.group(1).lower() == "max" else "LEAST"
        out.append(sql[at : match.start()])
        out.append(f"{name}({', '.join(_scalar_min_max(a.strip()) for a in arguments)})")
        at = end
    out.append(sql[at:])
    return "".join(out)


def _arguments(sql: str, start: int) -> tuple[list[str], int]:
    """The top-level, comma-separated arguments of the call whose `(` ends just before `start`, and where
    its `)` ends."""
    depth, quote, arguments, begun = 0, None, [], start
    for at in range(start, len(sql)):
        char = sql[at]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                arguments.append(sql[begun:at])
                return arguments, at + 1
            depth -= 1
        elif char == "," and depth == 0:
            arguments.append(sql[begun:at])
            begun = at + 1
    return [], len(sql)


_DDL_RULES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE),
     "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\)\s*WITHOUT\s+ROWID\b", re.IGNORECASE), ")"),
    (re.compile(r"\bINTEGER\b", re.IGNORECASE), "BIGINT"),
    (re.compile(r"\bREAL\b", re.IGNORECASE), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA"),
    # A generated column computed when read (SQLite's VIRTUAL) is stored on PostgreSQL 15 (its only kind).
    (re.compile(r"\)\s*VIRTUAL\b", re.IGNORECASE), ") STORED"),
]  # fmt: skip


@lru_cache(maxsize=1024)
def translate_ddl(statement: str) -> str:
    """A migration's statement (CREATE TABLE / INDEX, ALTER, data moves) for PostgreSQL."""
    parts = re.split(r"('(?:[^']|'')*')", statement)  # never inside a literal
    for index in range(0, len(parts), 2):
        for pattern, replacement in _DDL_RULES:
            parts[index] = pattern.sub(replacement, parts[index])
    return translate("".join(parts))


def listed_view(table: str, columns: tuple[str, ...], kinds: dict[str, str], types: dict[str, str]) -> list[str]:
    """`records.listed_view` for PostgreSQL: the same JSON object, keys in the same order (json_build_object
    keeps them), kept by a BEFORE trigger. `types`: each column's PostgreSQL type (a JSON column may be
    bytea or text; a flag, an integer or a boolean)."""

    def value(column: str) -> str:
        kind, kind_type, ref = kinds.get(column), types.get(column, "text"), f"NEW.{column}"
        if kind == "json":
            return f"convert_from({ref}, 'UTF8')::json" if kind_type == "bytea" else f"({ref})::json"
        if kind == "flag":
            return f"coalesce({ref}, false)" if kind_type == "boolean" else f"coalesce({ref} <> 0, false)"
        return ref

    fields = ", ".join(f"'{c}', {value(c)}" for c in columns)
    function = f"{table}_listed"
    return [
        f"ALTER TABLE {table} ADD COLUMN listed BYTEA",
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"NEW.listed := convert_to(json_build_object({fields})::text, 'UTF8'); RETURN NEW; END $$",
        f"CREATE TRIGGER {table}_listed_insert BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_listed_update BEFORE UPDATE OF {', '.join(columns)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"UPDATE {table} SET {columns[0]} = {columns[0]}",
    ]
