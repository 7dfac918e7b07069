"""A cache of the bilan's fact table (``fct_bilan``), one entry per database file × year.

Building ``fct_bilan`` (matching every MAD of the year to its convention, apportioning droits to
the EPCI) is the expensive step; every bilan, on every axis, filter and quarter, is then a cheap
aggregation of it (``mart_bilan``). An entry holds the table in a private in-memory DuckDB
database; each query runs on its own cursor of it, so that threads sharing one connection share
the cache too.
An entry also memoises small derived values (the labels of the axes).

An entry is used only while the data it was built from is unchanged. For a database file, its
signature is the number of rows and the sum of ``import_id`` of every table the metrics read, the
state of the import journal and of the journal of correspondences (a changed correspondence
re-attaches rows of conventions and MAD to another réservataire), and a hash of the referential
of réservataires (small: the type of a MAD without convention comes from it) — cheap: ≈ 5 ms
nationally, where hashing the rows costs ≈ 100 ms. Imports, rollbacks and changes of
correspondences always change it; a direct ``UPDATE`` of a data table outside these does not —
call ``vider_cache()`` after one. For an in-memory database (tests, throw-away
computations: small), the signature is a hash of every row, so any change is seen.
``FLUX_CACHE_METRIQUES=0`` disables the cache.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from dashboard.store import chemin_base

TAILLE_MAX = 8
ENV_VAR = "FLUX_CACHE_METRIQUES"


@dataclass
class Entree:
    signature: tuple
    base: duckdb.DuckDBPyConnection  # in-memory database holding the materialised model
    memo: dict = field(default_factory=dict)


_verrou = threading.Lock()
_entrees: OrderedDict[tuple[str, str, int], Entree] = OrderedDict()
_verrous_construction: dict[tuple[str, str, int], threading.Lock] = {}

_SIGNATURE = """
SELECT
    (SELECT count(*) FROM conventions), (SELECT coalesce(sum(import_id), 0) FROM conventions),
    (SELECT count(*) FROM parc), (SELECT coalesce(sum(import_id), 0) FROM parc),
    (SELECT count(*) FROM mises_a_disposition),
    (SELECT coalesce(sum(import_id), 0) FROM mises_a_disposition),
    (SELECT count(*) FROM communes), (SELECT coalesce(sum(import_id), 0) FROM communes),
    (SELECT count(*) FROM epci), (SELECT coalesce(sum(import_id), 0) FROM epci),
    (SELECT count(*) FROM journal_imports),
    (SELECT coalesce(sum(hash(import_id, statut)), 0) FROM journal_imports),
    (SELECT count(*) FROM journal_correspondances),
    (SELECT coalesce(max(id), 0) FROM journal_correspondances),
    (SELECT count(*) FROM reservataires),
    (SELECT coalesce(sum(hash(reservataire_code, nom, type_reservataire)::HUGEINT), 0)
     FROM reservataires)
"""

_TABLES = ("conventions", "parc", "mises_a_disposition", "communes", "epci", "reservataires",
           "correspondances")
# (one UNION ALL: ten scalar subqueries in one SELECT plan ten times slower)
_SIGNATURE_CONTENU = " UNION ALL ".join(
    f"SELECT {i} AS n, count(*), coalesce(sum(hash(x)::HUGEINT), 0) FROM {t} AS x"
    for i, t in enumerate(_TABLES)
) + " ORDER BY n"


def actif() -> bool:
    return os.environ.get(ENV_VAR, "1").strip() not in ("0", "non", "false", "")


def signature(con: duckdb.DuckDBPyConnection, contenu: bool = False) -> tuple:
    """The data's signature: cheap counters (database files) or a hash of every row."""
    cur = con.cursor()
    try:
        if contenu:
            return tuple(cur.execute(_SIGNATURE_CONTENU).fetchall())
        return tuple(cur.execute(_SIGNATURE).fetchone())
    finally:
        cur.close()


def entree(
    con: duckdb.DuckDBPyConnection, modele: str, annee: int, calculer: Callable[[], object]
) -> Entree | None:
    """The cache entry of ``modele`` for ``annee`` (a table of that name in ``entree.base``),
    built from ``calculer()`` (an Arrow table) when missing or stale; None when disabled."""
    if not actif():
        return None
    fichier = chemin_base(con)
    if fichier is None:  # in-memory: the connection object identifies it, its rows sign it
        cle = (f"memoire:{id(con)}", modele, int(annee))
        sig = signature(con, contenu=True)
    else:
        cle = (fichier, modele, int(annee))
        sig = signature(con)
    with _verrou:
        verrou = _verrous_construction.setdefault(cle, threading.Lock())
    with verrou:
        with _verrou:
            trouvee = _entrees.get(cle)
            if trouvee is not None and trouvee.signature == sig:
                _entrees.move_to_end(cle)
                return trouvee
        table = calculer()
        base = duckdb.connect(":memory:")
        base.register("_source", table)
        base.execute(f"CREATE TABLE {modele} AS SELECT * FROM _source")
        base.unregister("_source")
        nouvelle = Entree(sig, base)
        with _verrou:
            _entrees[cle] = nouvelle
            _entrees.move_to_end(cle)
            while len(_entrees) > TAILLE_MAX:
                _entrees.popitem(last=False)
            if len(_verrous_construction) > 4 * TAILLE_MAX:
                for ancienne in [k for k in _verrous_construction if k not in _entrees]:
                    if ancienne != cle:
                        del _verrous_construction[ancienne]
        return nouvelle


def vider_cache() -> None:
    """Forget every cached table (after a change of the data outside the import pipeline)."""
    with _verrou:
        _entrees.clear()
