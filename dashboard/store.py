"""The DuckDB store: where the database file lives, opening it, and versioned migrations.

Every schema change is a new numbered file in ``dashboard/sql/migrations/`` (``NNN_name.sql``).
``connect`` applies the missing ones, in order, inside one transaction each, and records them in
``schema_version``: an existing database file is upgraded in place, never recreated.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from dashboard.chemins import PROJECT_ROOT

MIGRATIONS_DIR = Path(__file__).resolve().parent / "sql" / "migrations"
DEFAULT_DB = PROJECT_ROOT / "data" / "flux.duckdb"
ENV_VAR = "FLUX_DB"

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the given path, else $FLUX_DB, else data/flux.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return DEFAULT_DB


def migrations(dossier: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    """The migration files, by version number."""
    found = []
    for file in sorted(dossier.iterdir()):
        match = _MIGRATION_NAME.match(file.name)
        if match:
            found.append((int(match.group(1)), file))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for an empty one)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, dossier: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply the missing migrations (of `dossier`); returns the versions applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, nom VARCHAR NOT NULL,"
        " applique_le TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    applied = []
    for version, file in migrations(dossier):
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)", [version, file.stem, datetime.now()]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


class BaseOccupee(Exception):
    """The database file is open for writing in another process (DuckDB allows one)."""


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating it if needed) the database file and bring its schema up to date.

    Raises BaseOccupee (a French message) when another process holds the file."""
    file = db_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(file))
    except duckdb.IOException as exc:
        if "Could not set lock" not in str(exc):
            raise
        pid = re.search(r"\(PID (\d+)\)", str(exc))
        qui = f" (processus n° {pid.group(1)})" if pid else ""
        raise BaseOccupee(
            f"La base {file} est utilisée par un autre programme{qui}, sans doute "
            "l'application ou un autre import : réessayez quand il a fini, ou importez depuis "
            "l'application.") from None
    if 3 in migrate(con):
        # The referential of réservataires came with version 3: give an existing database the
        # identities of its territories (they need the départements' names, not in SQL).
        from dashboard.referentiel import assurer_territoires

        assurer_territoires(con)
    return con


# One writer at a time per database file in this process: every session of the app shares one
# connection (a cursor each), and DuckDB's optimistic concurrency would let two imports of the
# same scope each miss the other's rows. Readers never wait.
_VERROUS: dict[str, threading.Lock] = {}
_VERROUS_GARDE = threading.Lock()


def chemin_base(con: duckdb.DuckDBPyConnection) -> str | None:
    """The database file behind the connection (resolved path), or None when in memory."""
    cur = con.cursor()
    try:
        row = cur.execute("SELECT path FROM duckdb_databases() "
                          "WHERE database_name = current_database()").fetchone()
    finally:
        cur.close()
    return str(Path(row[0]).resolve()) if row and row[0] else None


@contextmanager
def verrou_ecriture(con: duckdb.DuckDBPyConnection):
    """Hold the process-wide write lock of this connection's database file (of this connection
    object for an in-memory database: two of them never share a lock)."""
    cle = chemin_base(con) or f"memoire:{id(con)}"
    with _VERROUS_GARDE:
        verrou = _VERROUS.setdefault(cle, threading.Lock())
    with verrou:
        yield


def connect_memory() -> duckdb.DuckDBPyConnection:
    """An in-memory database with the current schema (for throw-away computations)."""
    con = duckdb.connect(":memory:")
    migrate(con)
    return con


def version_donnees(con: duckdb.DuckDBPyConnection) -> tuple:
    """What changes whenever the data change: the import journal's size, last id and the number
    of imports in force (an import or a rollback changes it), and the journal of
    correspondences (a changed correspondence re-attaches rows to another réservataire)."""
    cur = con.cursor()
    try:
        return cur.execute(
            "SELECT count(*), coalesce(max(import_id), 0), "
            "count(*) FILTER (WHERE statut = 'ACTIVE'), "
            "(SELECT count(*) FROM journal_correspondances), "
            "(SELECT count(*) FROM reservataires) FROM journal_imports").fetchone()
    finally:
        cur.close()


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """True when no dataset has been imported yet (reference territories aside)."""
    return con.execute("SELECT count(*) FROM journal_imports").fetchone()[0] == 0
