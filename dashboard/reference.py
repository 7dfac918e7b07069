"""The reference territories shipped with the product: the PACA communes and EPCI (COG 2026)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dashboard.chemins import REFERENCE_DIR
from dashboard.referentiel import assurer_territoires

COMMUNES_FILE = REFERENCE_DIR / "paca_communes.csv"
EPCI_FILE = REFERENCE_DIR / "paca_epci.csv"


def load_reference(
    con: duckdb.DuckDBPyConnection,
    communes_file: Path = COMMUNES_FILE,
    epci_file: Path = EPCI_FILE,
) -> tuple[int, int]:
    """Load the shipped communes and EPCI where they are missing; returns the rows added.

    Codes are read as text so that leading zeros stay (``04070``). Communes or EPCI already in the
    store (from the reference or from a DGCL import) are left as they are.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        before_c = con.execute("SELECT count(*) FROM communes").fetchone()[0]
        con.execute(
            """
            INSERT INTO communes
            SELECT code_insee, nom, departement, nullif(epci_siren, ''), population::INTEGER, NULL
            FROM read_csv(?, delim=';', header=true, all_varchar=true) AS r
            WHERE NOT EXISTS (SELECT 1 FROM communes c WHERE c.code_insee = r.code_insee)
            """,
            [str(communes_file)],
        )
        before_e = con.execute("SELECT count(*) FROM epci").fetchone()[0]
        con.execute(
            """
            INSERT INTO epci
            SELECT epci_siren, nom, nature, departement, NULL
            FROM read_csv(?, delim=';', header=true, all_varchar=true) AS r
            WHERE NOT EXISTS (SELECT 1 FROM epci e WHERE e.epci_siren = r.epci_siren)
            """,
            [str(epci_file)],
        )
        added_c = con.execute("SELECT count(*) FROM communes").fetchone()[0] - before_c
        added_e = con.execute("SELECT count(*) FROM epci").fetchone()[0] - before_e
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    assurer_territoires(con)
    return added_c, added_e
