"""Helpers for the metrics tests: an empty store and plain INSERTs of hand-written rows.

Every helper takes the connection first and gives sensible defaults, so that a test only writes
what matters for its arithmetic. Dates may be given as ``date`` or ``"YYYY-MM-DD"``.
"""

from __future__ import annotations

from datetime import date

import duckdb

from dashboard.store import connect_memory


def _date(valeur):
    if valeur is None or isinstance(valeur, date):
        return valeur
    return date.fromisoformat(valeur)


def base_vide() -> duckdb.DuckDBPyConnection:
    return connect_memory()


def commune(con, code_insee: str, departement: str | None = None, epci_siren: str | None = None,
            nom: str | None = None) -> None:
    con.execute(
        "INSERT INTO communes VALUES (?, ?, ?, ?, NULL, NULL)",
        [code_insee, nom or f"Commune {code_insee}", departement or code_insee[:2], epci_siren],
    )


def epci(con, siren: str, nom: str, departement: str | None = None, nature: str = "CA") -> None:
    con.execute("INSERT INTO epci VALUES (?, ?, ?, ?, NULL)", [siren, nom, nature, departement])


def convention(
    con,
    bailleur: str,
    reservataire: str,
    *,
    type_reservataire: str = "ETAT",
    departement: str = "13",
    perimetre_type: str = "DEPARTEMENT",
    perimetre_code: str | None = None,
    annee: int = 2025,
    statut: str = "SIGNEE",
    date_signature="2024-12-15",
    motif_non_signature: str | None = None,
    methode: str = "ASSIETTE",
    taux_flux: float | None = None,
    droits_annuels: float | None = None,
    bailleur_nom: str | None = None,
    reservataire_nom: str | None = None,
    mode_gestion: str | None = None,
    import_id: int = 1,
) -> None:
    if perimetre_code is None:
        perimetre_code = departement
    if statut != "SIGNEE" and date_signature == "2024-12-15":
        date_signature = None
    con.execute(
        "INSERT INTO conventions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            bailleur, bailleur_nom, reservataire, reservataire_nom, type_reservataire, departement,
            perimetre_type, perimetre_code, annee, statut, _date(date_signature),
            motif_non_signature, methode, taux_flux, droits_annuels, mode_gestion, import_id,
            reservataire,
        ],
    )


def parc(
    con,
    bailleur: str,
    code_insee: str,
    *,
    parc_total: int,
    annee: int = 2025,
    logements_exclus: int = 0,
    liberations: int | None = None,
    taux_rotation: float | None = None,
    mutations_prevues: int = 0,
    relogements_prevus: int = 0,
    import_id: int = 1,
) -> None:
    con.execute(
        "INSERT INTO parc VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            bailleur, code_insee, annee, parc_total, logements_exclus, liberations, taux_rotation,
            mutations_prevues, relogements_prevus, import_id,
        ],
    )


_compteur = {"n": 0}


def mad(
    con,
    bailleur: str,
    date_mad,
    code_insee: str,
    *,
    reservataire: str | None = None,
    categorie: str = "FLUX",
    issue: str = "EN_COURS",
    date_bail=None,
    reference: str | None = None,
    nombre: int = 1,
    import_id: int = 1,
) -> None:
    """Insert ``nombre`` identical MAD (distinct references)."""
    if issue == "BAIL_SIGNE" and date_bail is None:
        date_bail = date_mad
    rows = []
    for _ in range(nombre):
        _compteur["n"] += 1
        ref = reference if (reference and nombre == 1) else f"{reference or 'REF'}-{_compteur['n']}"
        rows.append([
            bailleur, ref, _date(date_mad), code_insee, categorie, reservataire, None, None,
            None, None, None, issue, _date(date_bail), None, None, import_id, reservataire,
        ])
    con.executemany(
        "INSERT INTO mises_a_disposition VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def ligne(df, cle: str) -> dict:
    """The row of key ``cle`` of a bilan, as a dict (fails clearly when absent)."""
    trouve = df[df["cle"] == cle]
    assert len(trouve) == 1, f"clé {cle!r} absente ou en double dans {list(df['cle'])}"
    return trouve.iloc[0].to_dict()
