#!/usr/bin/python3
"""slice-check.py: check a slice quire made of a MySQL/MariaDB or PostgreSQL
database against a slice computed here, independently of quire.

  slice-check.py mysql|postgres --host H --port P --user U --db DB
		[--schema S] [--restrict TABLE CONDITION]... [--leaves FILE]...
		[--sqlite slice.sqlite] [--load slice.sql --into NEWDB]

The slice is computed naively, with the server's Python driver
(python3-pymysql, python3-psycopg2): the rows of each leaf's table for
which its condition holds (the server runs it), then, over and over
until nothing changes, the parent row of every row taken by every
foreign key (a key with a NULL refers to nothing). Passwords come from
~/.my.cnf ([client]) and ~/.pgpass, as quire's do.

--sqlite: slice.sqlite must hold every table of the source with its
columns in order, each declared with the SQLite type of the documented
mapping (quire-databases(7)), the primary and foreign keys, and exactly
the rows of the slice, each value as the mapping keeps it: integers as
integers, bigint unsigned, decimals, dates and times as the server's
text, floats as reals, text as text, binary as bytes; PRAGMA
foreign_key_check finds nothing.

--load/--into: create the database NEWDB (it must not exist), load the
dump into it with the server's own client (mariadb --no-defaults, the
password in MYSQL_PWD; psql -X -v ON_ERROR_STOP=1 -f), then NEWDB must
have the source's tables as the source declares them (MySQL: SHOW CREATE
TABLE; PostgreSQL: columns, types, defaults, constraints, indexes, enum
labels, sequences' positions), exactly the rows of the slice as the
server writes their values, and no foreign key broken (a LEFT JOIN per
foreign key finds no child without its parent).

Prints "<slice rows><TAB><all rows><TAB><table>" for every table, by
name. Exits 1 (saying what differs) when a check fails, 2 on bad usage
or when the server refuses something.
"""
import argparse
import difflib
import json
import os
import re
import sqlite3
import subprocess
import sys


def fail(msg):
    sys.stderr.write("slice-check: %s\n" % msg)
    sys.exit(2)


def mysql_quote(name):
    return "`" + name.replace("`", "``") + "`"


def pg_quote(name):
    return '"' + name.replace('"', '""') + '"'


class Source:
    """A database's tables, keys and rows; values as the server's text
    (str), bytes for binary columns, None for NULL."""

    def table_names(self):
        return sorted(self.cols)

    def ident(self, t):
        """The columns that tell rows of t apart."""
        return self.pk[t] or [c[0] for c in self.cols[t]]

    def rows(self, t, where=None):
        names = [c[0] for c in self.cols[t]]
        sql = "SELECT %s FROM %s" % (", ".join(self.select_expr(t, c)
                                               for c in self.cols[t]),
                                     self.quote(t))
        if where is not None:
            sql += " WHERE (%s)" % where
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
        except self.errors as e:
            fail("the server refuses %s: %s" % (sql, e))
        out = []
        for r in cur.fetchall():
            out.append(tuple(bytes(v) if isinstance(v, memoryview) else v
                             for v in r))
        cur.close()
        assert all(len(r) == len(names) for r in out)
        return out

    def key_of(self, t, row, cols):
        idx = self.colidx[t]
        return tuple(row[idx[c]] for c in cols)

    def load_meta(self):
        self.colidx = {t: {c[0]: i for i, c in enumerate(cs)}
                       for t, cs in self.cols.items()}


class MySQL(Source):
    def __init__(self, a, db):
        import pymysql
        import pymysql.converters
        self.errors = pymysql.MySQLError
        self.quote = mysql_quote
        self.db = db
        # No decoders: every value as the server's text (bytes for the
        # binary character set), as quire reads them.
        enc = {k: v for k, v in pymysql.converters.conversions.items()
               if not isinstance(k, int)}
        try:
            self.conn = pymysql.connect(
                host=a.host, port=int(a.port), user=a.user, database=db,
                read_default_file=os.path.expanduser("~/.my.cnf"),
                read_default_group="client", charset="utf8mb4", conv=enc,
                autocommit=True)
        except self.errors as e:
            fail("cannot connect to %s: %s" % (db, e))
        self.password = self.conn.password
        if isinstance(self.password, bytes):
            self.password = self.password.decode()
        cur = self.conn.cursor()
        cur.execute("SET time_zone = '+00:00'")
        cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        self.cols, self.pk, self.fks, self.kind = {}, {}, {}, {}
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
                    (db,))
        for (t,) in cur.fetchall():
            cur.execute("SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, "
                        "IS_NULLABLE FROM information_schema.COLUMNS "
                        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
                        "ORDER BY ORDINAL_POSITION", (db, t))
            self.cols[t] = [(n, ct, dt, nl == "NO")
                            for n, ct, dt, nl in cur.fetchall()]
            self.kind[t] = [self.sqlite_kind(dt.lower(), ct.lower())
                            for _, ct, dt, _ in self.cols[t]]
            cur.execute("SELECT COLUMN_NAME FROM "
                        "information_schema.KEY_COLUMN_USAGE "
                        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
                        "AND CONSTRAINT_NAME = 'PRIMARY' "
                        "ORDER BY ORDINAL_POSITION", (db, t))
            self.pk[t] = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT CONSTRAINT_NAME, COLUMN_NAME, "
                        "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
                        "FROM information_schema.KEY_COLUMN_USAGE "
                        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s "
                        "AND REFERENCED_TABLE_SCHEMA = %s "
                        "ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION",
                        (db, t, db))
            fks = {}
            for name, col, parent, pcol in cur.fetchall():
                fk = fks.setdefault(name, (parent, [], []))
                fk[1].append(col)
                fk[2].append(pcol)
            self.fks[t] = [(p, tuple(f), tuple(o)) for p, f, o in fks.values()]
        cur.close()
        self.load_meta()

    @staticmethod
    def sqlite_kind(dt, ct):
        """The SQLite type of quire-databases(7) for a MySQL column."""
        if dt == "bigint" and "unsigned" in ct:
            return "TEXT"
        if dt in ("tinyint", "smallint", "mediumint", "int", "integer",
                  "bigint", "year", "bool", "boolean"):
            return "INTEGER"
        if dt in ("float", "double", "real", "double precision"):
            return "REAL"
        if dt in ("binary", "varbinary", "tinyblob", "blob", "mediumblob",
                  "longblob", "bit", "geometry", "point", "linestring",
                  "polygon", "multipoint", "multilinestring",
                  "multipolygon", "geometrycollection"):
            return "BLOB"
        return "TEXT"

    def select_expr(self, t, col):
        return mysql_quote(col[0])

    def tables_sql(self):
        """{table: SHOW CREATE TABLE} without the AUTO_INCREMENT counter."""
        cur = self.conn.cursor()
        out = {}
        for t in self.cols:
            cur.execute("SHOW CREATE TABLE " + mysql_quote(t))
            out[t] = re.sub(r" AUTO_INCREMENT=\d+", "", cur.fetchone()[1])
        cur.close()
        return out

    def close(self):
        self.conn.close()


class Postgres(Source):
    def __init__(self, a, db, schema):
        import psycopg2
        self.errors = psycopg2.Error
        self.quote = pg_quote
        self.db, self.schema = db, schema
        try:
            self.conn = psycopg2.connect(host=a.host, port=a.port,
                                         user=a.user, dbname=db)
        except self.errors as e:
            fail("cannot connect to %s: %s" % (db, e))
        self.conn.set_session(isolation_level="REPEATABLE READ",
                              readonly=True)
        cur = self.conn.cursor()
        # The schema first in the search path: types, defaults and
        # constraints name its objects without it, as in a database
        # a dump was loaded into.
        cur.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; "
                    "SET IntervalStyle = 'postgres'; "
                    "SET extra_float_digits = 3; SET search_path = " +
                    pg_quote(schema))
        cur.execute("SELECT c.oid, c.relname FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relkind IN ('r', 'p')",
                    (schema,))
        self.oid = {t: oid for oid, t in cur.fetchall()}
        self.cols, self.pk, self.fks, self.kind = {}, {}, {}, {}
        for t, oid in self.oid.items():
            cur.execute("SELECT a.attname, format_type(a.atttypid, "
                        "a.atttypmod), a.attnotnull, "
                        "pg_get_expr(d.adbin, d.adrelid), t.typtype "
                        "FROM pg_attribute a JOIN pg_type t "
                        "ON t.oid = a.atttypid LEFT JOIN pg_attrdef d "
                        "ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                        "WHERE a.attrelid = %s AND a.attnum > 0 "
                        "AND NOT a.attisdropped ORDER BY a.attnum", (oid,))
            rows = cur.fetchall()
            self.cols[t] = [(n, ft, nn, df) for n, ft, nn, df, _ in rows]
            self.kind[t] = [self.sqlite_kind(ft, tt)
                            for _, ft, _, _, tt in rows]
            cur.execute("SELECT a.attname FROM pg_index i, "
                        "unnest(i.indkey) WITH ORDINALITY k(num, ord), "
                        "pg_attribute a WHERE i.indrelid = %s "
                        "AND i.indisprimary AND a.attrelid = i.indrelid "
                        "AND a.attnum = k.num ORDER BY k.ord", (oid,))
            self.pk[t] = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT p.relname, pn.nspname, "
                        "ARRAY(SELECT a.attname::text FROM unnest(c.conkey) "
                        "WITH ORDINALITY k(num, ord) JOIN pg_attribute a "
                        "ON a.attrelid = c.conrelid AND a.attnum = k.num "
                        "ORDER BY k.ord), "
                        "ARRAY(SELECT a.attname::text FROM unnest(c.confkey) "
                        "WITH ORDINALITY k(num, ord) JOIN pg_attribute a "
                        "ON a.attrelid = c.confrelid AND a.attnum = k.num "
                        "ORDER BY k.ord) "
                        "FROM pg_constraint c JOIN pg_class p "
                        "ON p.oid = c.confrelid JOIN pg_namespace pn "
                        "ON pn.oid = p.relnamespace "
                        "WHERE c.conrelid = %s AND c.contype = 'f'", (oid,))
            self.fks[t] = [(p, tuple(f), tuple(o))
                           for p, ns, f, o in cur.fetchall() if ns == schema]
        cur.close()
        self.load_meta()

    @staticmethod
    def sqlite_kind(ft, typtype):
        """The SQLite type of quire-databases(7) for a PostgreSQL column."""
        if typtype == "d":
            fail("domain types are not covered here")
        if ft in ("smallint", "integer", "bigint", "boolean"):
            return "INTEGER"
        if ft in ("real", "double precision"):
            return "REAL"
        if ft == "bytea":
            return "BLOB"
        return "TEXT"

    def select_expr(self, t, col):
        if col[1] == "bytea":
            return pg_quote(col[0])
        return pg_quote(col[0]) + "::text"

    def tables_sql(self):
        """What a dump must carry of each table, comparable across
        databases: columns, constraints (by definition, not name),
        indexes (without their schema), enum labels, sequences."""
        cur = self.conn.cursor()
        out = {}
        for t, oid in self.oid.items():
            cur.execute("SELECT contype::text, pg_get_constraintdef(oid) "
                        "FROM pg_constraint WHERE conrelid = %s "
                        "ORDER BY 1, 2", (oid,))
            cons = cur.fetchall()
            cur.execute("SELECT regexp_replace(pg_get_indexdef(indexrelid), "
                        "' ON [^ ]*\\.', ' ON ') FROM pg_index "
                        "WHERE indrelid = %s AND NOT EXISTS (SELECT 1 FROM "
                        "pg_constraint c WHERE c.conindid = indexrelid) "
                        "ORDER BY 1", (oid,))
            idx = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT t.typname, array_agg(e.enumlabel::text "
                        "ORDER BY e.enumsortorder) FROM pg_attribute a "
                        "JOIN pg_type t ON t.oid = a.atttypid JOIN pg_enum e "
                        "ON e.enumtypid = t.oid WHERE a.attrelid = %s "
                        "GROUP BY t.typname ORDER BY 1", (oid,))
            enums = cur.fetchall()
            seqs = []
            for col in self.cols[t]:
                m = re.match(r"nextval\('(.*)'::regclass\)$", col[3] or "")
                if m:
                    cur.execute("SELECT last_value, is_called FROM " +
                                m.group(1))
                    seqs.append((m.group(1), cur.fetchone()))
            out[t] = json.dumps({"columns": self.cols[t], "constraints": cons,
                                 "indexes": idx, "enums": enums,
                                 "sequences": seqs}, indent=1, default=str)
        cur.close()
        return out

    def close(self):
        self.conn.rollback()
        self.conn.close()


def connect(a, db):
    if a.engine == "mysql":
        return MySQL(a, db)
    return Postgres(a, db, a.schema)


def leaves_of(a):
    out = []
    for path in a.leaves:
        f = sys.stdin if path == "-" else open(path)
        for line in f:
            if line.strip():
                leaf = json.loads(line)
                out.append((leaf["table"], leaf["restriction"]))
    return out + [tuple(r) for r in a.restrict]


def compute_slice(src, leaves):
    """{table: {ident key: row}}: the leaves' rows and, to a fixpoint,
    their parents. Keys are matched by the server's text of the values."""
    everything = {t: src.rows(t) for t in src.table_names()}
    by_key = {}
    for t, rows in everything.items():
        cols = src.ident(t)
        by_key[t] = {}
        for r in rows:
            by_key[t].setdefault(src.key_of(t, r, cols), []).append(r)
    taken = {t: {} for t in everything}
    for name, cond in leaves:
        match = [t for t in everything if t.lower() == name.lower()]
        if len(match) != 1:
            fail("no table %r in the source" % name)
        t = match[0]
        for r in src.rows(t, cond):
            taken[t][src.key_of(t, r, src.ident(t))] = r
    changed = True
    while changed:
        changed = False
        for t in everything:
            for r in list(taken[t].values()):
                for parent, frm, to in src.fks[t]:
                    vals = src.key_of(t, r, frm)
                    if None in vals:
                        continue
                    pcols = src.ident(parent)
                    if list(to) != pcols:
                        found = [p for p in everything[parent]
                                 if src.key_of(parent, p, to) == vals]
                    else:
                        found = by_key[parent].get(vals, [])
                    for p in found:
                        k = src.key_of(parent, p, pcols)
                        if k not in taken[parent]:
                            taken[parent][k] = p
                            changed = True
    return everything, taken


def norm(v):
    """A value as a comparable, printable tuple that tells types apart."""
    if v is None:
        return ("null",)
    if isinstance(v, bool):
        return ("int", int(v))
    if isinstance(v, int):
        return ("int", v)
    if isinstance(v, float):
        return ("real", v.hex())
    if isinstance(v, (bytes, memoryview)):
        return ("blob", bytes(v).hex())
    return ("text", v)


def as_sqlite(kind, v):
    """The value quire keeps in slice.sqlite for the server's text v."""
    if v is None:
        return None
    if kind == "INTEGER":
        return {"t": 1, "f": 0}.get(v, None) if v in ("t", "f") else int(v)
    if kind == "REAL":
        return float(v)
    if kind == "BLOB":
        return bytes(v)
    return v


class Report:
    def __init__(self):
        self.problems = 0

    def say(self, msg):
        sys.stderr.write("slice-check: %s\n" % msg)
        self.problems += 1

    def rows(self, what, t, expect, got):
        e = sorted(tuple(norm(v) for v in r) for r in expect)
        g = sorted(tuple(norm(v) for v in r) for r in got)
        if e == g:
            return
        missing = [r for r in e if r not in g]
        extra = [r for r in g if r not in e]
        self.say("%s: table %r has %d rows, the slice %d: %d missing, "
                 "%d not in the slice" % (what, t, len(g), len(e),
                                          len(missing), len(extra)))
        for r in missing[:5]:
            sys.stderr.write("  missing: %r\n" % (r,))
        for r in extra[:5]:
            sys.stderr.write("  extra:   %r\n" % (r,))
        dup = len(g) - len(set(g))
        if dup:
            sys.stderr.write("  %d rows twice\n" % dup)


def sqlite_text(b):
    """TEXT from SQLite as str; bytes that are not UTF-8 shown, not fatal."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "<not UTF-8: %s>" % b.hex()


def check_sqlite(src, taken, path, rep):
    if not os.path.isfile(path):
        rep.say("no file %s" % path)
        return
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.text_factory = sqlite_text
    have = sorted(r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))
    if have != src.table_names():
        rep.say("%s: tables %r, the source's are %r"
                % (path, have, src.table_names()))
    for t in src.table_names():
        if t not in have:
            continue
        info = con.execute("PRAGMA table_info(%s)" % pg_quote(t)).fetchall()
        cols = [(r[1], r[2].upper()) for r in info]
        want = [(c[0], k) for c, k in zip(src.cols[t], src.kind[t])]
        if cols != want:
            rep.say("%s: table %r has columns %r, want %r"
                    % (path, t, cols, want))
            continue
        pk = [r[1] for r in sorted((r for r in info if r[5]),
                                   key=lambda r: r[5])]
        if src.pk[t] and pk != src.pk[t]:
            rep.say("%s: table %r has primary key %r, the source %r"
                    % (path, t, pk, src.pk[t]))
        fks = {}
        for r in con.execute("PRAGMA foreign_key_list(%s)" % pg_quote(t)):
            fk = fks.setdefault(r[0], (r[2], [], []))
            fk[1].append(r[3])
            fk[2].append(r[4])
        fks = sorted((p, tuple(f), tuple(o)) for p, f, o in fks.values())
        if fks != sorted(src.fks[t]):
            rep.say("%s: table %r has foreign keys %r, the source %r"
                    % (path, t, fks, sorted(src.fks[t])))
        got = con.execute("SELECT * FROM %s" % pg_quote(t)).fetchall()
        expect = [tuple(as_sqlite(k, v) for k, v in zip(src.kind[t], r))
                  for r in taken[t].values()]
        rep.rows(path, t, expect, got)
    bad = con.execute("PRAGMA foreign_key_check").fetchall()
    if bad:
        rep.say("%s: PRAGMA foreign_key_check: %r" % (path, bad[:5]))
    con.close()


def create_db(src, name):
    if isinstance(src, MySQL):
        cur = src.conn.cursor()
        cur.execute("CREATE DATABASE %s" % mysql_quote(name))
        cur.close()
        return
    import psycopg2
    c = psycopg2.connect(host=src.conn.info.host, port=src.conn.info.port,
                         user=src.conn.info.user, dbname=src.db)
    c.autocommit = True
    c.cursor().execute("CREATE DATABASE %s" % pg_quote(name))
    c.close()


def load(a, src, path, into, rep):
    try:
        create_db(src, into)
    except src.errors as e:
        fail("cannot create database %s (it must not exist): %s" % (into, e))
    env = dict(os.environ)
    if a.engine == "mysql":
        env["MYSQL_PWD"] = src.password or ""
        cmd = ["mariadb", "--no-defaults", "--host", a.host, "--port",
               str(a.port), "--user", a.user, into]
    else:
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", a.host,
               "-p", str(a.port), "-U", a.user, "-d", into, "-f", path]
    with open(path, "rb") as f:
        p = subprocess.run(cmd, stdin=f, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        rep.say("%s does not load: %s exited %d: %s"
                % (path, cmd[0], p.returncode, err.strip()))
        return False
    if err.strip() and a.engine == "mysql":
        rep.say("%s: %s said: %s" % (path, cmd[0], err.strip()))
    return True


def check_loaded(a, src, taken, path, into, rep):
    if not load(a, src, path, into, rep):
        return
    a2 = argparse.Namespace(**vars(a))
    a2.schema = "public"
    new = connect(a2, into)
    if new.table_names() != src.table_names():
        rep.say("%s: tables %r, the source's are %r"
                % (into, new.table_names(), src.table_names()))
    want_sql, got_sql = src.tables_sql(), new.tables_sql()
    for t in src.table_names():
        if t not in new.cols:
            continue
        if got_sql[t] != want_sql[t]:
            rep.say("%s: table %r is not made as in the source:\n%s"
                    % (into, t, "\n".join(difflib.unified_diff(
                        want_sql[t].splitlines(), got_sql[t].splitlines(),
                        "source", "loaded", lineterm=""))))
            continue
        rep.rows(into, t, list(taken[t].values()), new.rows(t))
        for parent, frm, to in new.fks[t]:
            q = new.quote
            sql = ("SELECT COUNT(*) FROM %s c LEFT JOIN %s p ON %s "
                   "WHERE %s AND p.%s IS NULL"
                   % (q(t), q(parent),
                      " AND ".join("c.%s = p.%s" % (q(f), q(o))
                                   for f, o in zip(frm, to)),
                      " AND ".join("c.%s IS NOT NULL" % q(f) for f in frm),
                      q(to[0])))
            cur = new.conn.cursor()
            cur.execute(sql)
            n = int(cur.fetchone()[0])
            cur.close()
            if n:
                rep.say("%s: %d rows of %r have no parent in %r by %r"
                        % (into, n, t, parent, frm))
    new.close()


def main():
    p = argparse.ArgumentParser(description="check a slice of a server")
    p.add_argument("engine", choices=["mysql", "postgres"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", required=True)
    p.add_argument("--user", default="quire")
    p.add_argument("--db", required=True)
    p.add_argument("--schema", default="public")
    p.add_argument("--restrict", nargs=2, action="append", default=[],
                   metavar=("TABLE", "CONDITION"))
    p.add_argument("--leaves", action="append", default=[])
    p.add_argument("--sqlite")
    p.add_argument("--load")
    p.add_argument("--into")
    a = p.parse_args()
    if bool(a.load) != bool(a.into):
        fail("--load and --into go together")
    leaves = leaves_of(a)
    if not leaves:
        fail("no leaves")
    src = connect(a, a.db)
    everything, taken = compute_slice(src, leaves)
    rep = Report()
    if a.sqlite:
        check_sqlite(src, taken, a.sqlite, rep)
    if a.load:
        check_loaded(a, src, taken, a.load, a.into, rep)
    for t in src.table_names():
        print("%d\t%d\t%s" % (len(taken[t]), len(everything[t]), t))
    src.close()
    sys.exit(1 if rep.problems else 0)


if __name__ == "__main__":
    main()
