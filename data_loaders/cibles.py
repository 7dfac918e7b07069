"""What an import writes: each dataset's live tables, their columns, and the scope a new file
replaces (bailleur × year for mises à disposition and parc, bailleur × year × département for
conventions, the EPCI for its documents, the commune and its EPCI for the DGCL file). The
import pipeline (data_loaders.ingest) writes them; the rollback (data_loaders.historique) brings
the archived rows back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cible:
    """A live table an import writes, and how its rows map to scope units."""

    table: str
    colonnes: dict[str, str]            # live column -> SQL over the valid rows `v`
    unite_table: tuple[str, ...]        # scope unit of a live row (SQL over `t`)
    unite_fichier: tuple[str, ...]      # scope unit of a valid row (SQL over `v`)
    grouper_par: str | None = None      # one row per value of this column (EPCI from communes)


def _identite(*colonnes: str) -> dict[str, str]:
    return {c: f"v.{c}" for c in colonnes}


CIBLES: dict[str, tuple[Cible, ...]] = {
    "conventions": (Cible(
        "conventions",
        _identite("bailleur_code", "bailleur_nom", "reservataire_code", "reservataire_valeur",
                  "reservataire_nom", "type_reservataire", "departement", "perimetre_type") | {
            "perimetre_code": "v.perimetre_cle"} | _identite(
            "annee", "statut", "date_signature", "motif_non_signature", "methode", "taux_flux",
            "droits_annuels", "mode_gestion"),
        # Conventions are signed per département: each DDETS replaces only its own.
        ("t.bailleur_code", "t.annee", "t.departement"),
        ("v.bailleur_code", "v.annee", "v.departement")),),
    "parc": (Cible(
        "parc",
        _identite("bailleur_code", "code_insee", "annee", "parc_total") | {
            "logements_exclus": "coalesce(v.logements_exclus, 0)",
            "liberations": "v.liberations", "taux_rotation": "v.taux_rotation",
            "mutations_prevues": "coalesce(v.mutations_prevues, 0)",
            "relogements_prevus": "coalesce(v.relogements_prevus, 0)"},
        ("t.bailleur_code", "t.annee"), ("v.bailleur_code", "v.annee")),),
    "mises_a_disposition": (Cible(
        "mises_a_disposition",
        _identite("bailleur_code", "reference", "date_mise_a_disposition", "code_insee",
                  "categorie", "reservataire_code", "reservataire_valeur", "rpls", "qpv",
                  "typologie", "financement",
                  "annee_construction", "issue", "date_bail", "candidat_bailleur",
                  "public_prioritaire"),
        ("t.bailleur_code", "year(t.date_mise_a_disposition)"), ("v.bailleur_code", "v.annee")),),
    "documents_epci": (Cible(
        "documents_epci", _identite("epci_siren", "document", "statut", "date_document"),
        ("t.epci_siren",), ("v.epci_siren",)),),
    "communes": (
        Cible("communes", {"code_insee": "v.code_insee", "nom": "v.nom_commune",
                           "departement": "v.departement_cle", "epci_siren": "v.epci_siren",
                           "population": "v.population"},
              ("t.code_insee",), ("v.code_insee",)),
        Cible("epci", {"epci_siren": "v.epci_siren", "nom": "any_value(v.epci_nom)",
                       "nature": "any_value(v.epci_nature)",
                       "departement": "mode(v.departement_cle)"},
              ("t.epci_siren",), ("v.epci_siren",), grouper_par="v.epci_siren"),
    ),
}


def mettre_a_jour_statuts(cur, type_donnees: str, import_ids: list[int]) -> None:
    """An import is ACTIVE while some of its rows are live, REPLACED once none is."""
    for iid in import_ids:
        vivantes = sum(cur.execute(f"SELECT count(*) FROM {c.table} WHERE import_id = ?",
                                   [iid]).fetchone()[0] for c in CIBLES[type_donnees])
        cur.execute("UPDATE journal_imports SET statut = ? WHERE import_id = ?",
                    ["ACTIVE" if vivantes else "REPLACED", iid])
