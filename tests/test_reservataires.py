"""One identity per réservataire (DOMAIN §3.6, issue 12): the referential, each path of
resolution at import (correspondence, convention's type and territory, referential code, name
without doubt, unresolved — strict and partial), re-attaching rows when a correspondence
changes, and the bilan by réservataire of two bailleurs that name the préfet differently.

Every expected value is written by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import (
    CONVENTION_COLONNES,
    MAD_COLONNES,
    convention,
    importer,
    instantane,
    mad,
    tableau,
)

from dashboard.cli import main
from dashboard.referentiel import lister
from data_loaders import FichierRejete
from data_loaders.correspondances import Definition, definir


def _mad(fichiers, *rangees, nom=None):
    return fichiers.csv(tableau(MAD_COLONNES, *rangees), nom=nom)


def _conv(fichiers, *rangees):
    return fichiers.csv(tableau(CONVENTION_COLONNES, *rangees))


def _stockees(base, table="mises_a_disposition"):
    return base.execute(f"SELECT reference, reservataire_valeur, reservataire_code FROM {table} "
                        "ORDER BY reference").fetchall() if table == "mises_a_disposition" else \
        base.execute("SELECT reservataire_valeur, reservataire_code, departement FROM conventions "
                     "ORDER BY ALL").fetchall()


def _correspondances(base):
    return base.execute("SELECT bailleur_code, valeur, reservataire_code, origine "
                        "FROM correspondances ORDER BY ALL").fetchall()


# ----------------------------------------------------------------------------- referential

def test_referentiel_des_territoires_des_l_initialisation(base):
    df = lister(base)
    codes = dict(zip(df["reservataire_code"], zip(df["nom"], df["type_reservataire"],
                                                   df["territoire"])))
    # 6 départements × 3 (préfet, agents, conseil départemental) + 946 communes + 52 EPCI + ALS
    assert len(df) == 6 * 3 + 946 + 52 + 1
    assert codes["ETAT-13"] == ("Préfet des Bouches-du-Rhône — contingent préfectoral", "ETAT",
                                "13")
    assert codes["ETAT-AG-04"] == (
        "Préfet des Alpes-de-Haute-Provence — agents civils et militaires de l'État",
        "ETAT_AGENTS", "04")
    assert codes["CD-83"] == ("Conseil départemental du Var", "DEPARTEMENT", "83")
    assert codes["COM-04070"] == ("Ville de Digne-les-Bains", "COMMUNE", "04070")
    assert codes["EPCI-200030195"] == ("Métropole Nice Côte d'Azur", "EPCI", "200030195")
    assert codes["ALS"][:2] == ("Action Logement Services", "ACTION_LOGEMENT")
    assert pd.isna(codes["ALS"][2])          # one for the whole country: no territory
    assert list(df.columns) == ["reservataire_code", "nom", "type_reservataire", "territoire"]


# ------------------------------------------------------------------------- MAD resolution

def test_chaque_chemin_de_resolution_d_une_mise_a_disposition(base, fichiers):
    definir(base, [Definition("OLS1", "Contingent Préf. prioritaire", "ETAT-13")])
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers,
        mad(reference="R1", reservataire_code="Contingent Préf. prioritaire"),  # correspondence
        mad(reference="R2", reservataire_code="etat 13"),                  # code, other spelling
        mad(reference="R3", reservataire_code="Ville de Nice", code_insee="06088"),     # name
        mad(reference="R4", reservataire_code="Action Logement"),                       # name
        mad(reference="R5", reservataire_code="Préfecture", code_insee="84007"),  # line's dép.
        mad(reference="R6", reservataire_code="PREF13"),                  # words + dép. written
        mad(reference="R7", reservataire_code="NCA", code_insee="06088"),      # EPCI initials
    ))
    assert rapport.statut == "importe", rapport.erreurs
    assert _stockees(base) == [
        ("R1", "Contingent Préf. prioritaire", "ETAT-13"),
        ("R2", "etat 13", "ETAT-13"),
        ("R3", "Ville de Nice", "COM-06088"),
        ("R4", "Action Logement", "ALS"),
        ("R5", "Préfecture", "ETAT-84"),
        ("R6", "PREF13", "ETAT-13"),
        ("R7", "NCA", "EPCI-200030195"),
    ]
    # Reported as resolved automatically: all but the correspondence.
    assert sorted((r["valeur"], r["reservataire_code"], r["lignes"])
                  for r in rapport.reservataires_resolus_automatiquement) == [
        ("Action Logement", "ALS", 1), ("NCA", "EPCI-200030195", 1), ("PREF13", "ETAT-13", 1),
        ("Préfecture", "ETAT-84", 1), ("Ville de Nice", "COM-06088", 1),
        ("etat 13", "ETAT-13", 1)]
    assert rapport.reservataires_non_resolus == []
    # Names found without doubt are kept as the bailleur's correspondences; « Préfecture »
    # (its département is the line's) and a code written as such are not.
    assert _correspondances(base) == [
        ("OLS1", "Action Logement", "ALS", "automatique"),
        ("OLS1", "Contingent Préf. prioritaire", "ETAT-13", "manuelle"),
        ("OLS1", "NCA", "EPCI-200030195", "automatique"),
        ("OLS1", "PREF13", "ETAT-13", "automatique"),
        ("OLS1", "Ville de Nice", "COM-06088", "automatique"),
    ]


def test_non_resolu_en_import_strict_rien_n_est_ecrit(base, fichiers):
    avant = instantane(base)
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers,
        mad(reference="R1", reservataire_code="ETAT-13"),
        mad(reference="R2", reservataire_code="Bailleur social X contingent"),
        mad(reference="R3", reservataire_code="Bailleur social X contingent"),
        mad(reference="R4", reservataire_code="PREF"),        # the État… of which département?
        mad(reference="R5", reservataire_code="Préfecture 13 et 84"),  # two départements
    ))
    assert rapport.statut == "rejete"
    assert instantane(base) == avant
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == [
        (3, "reservataire_code", "Bailleur social X contingent"),
        (4, "reservataire_code", "Bailleur social X contingent"),
        (6, "reservataire_code", "Préfecture 13 et 84")]
    assert "réservataire « Bailleur social X contingent » non reconnu" in rapport.erreurs[0].message
    non_resolus = {r["valeur"]: r for r in rapport.reservataires_non_resolus}
    assert list(non_resolus) == ["Bailleur social X contingent", "Préfecture 13 et 84"]
    assert non_resolus["Bailleur social X contingent"]["lignes"] == 2
    # The préfet of the line's département, then of the others written, come first.
    assert non_resolus["Préfecture 13 et 84"]["suggestions"][:1] == ["ETAT-13"]
    assert len(non_resolus["Préfecture 13 et 84"]["suggestions"]) <= 3
    assert "2 réservataires non reconnus" in rapport.message
    assert rapport.as_json()["reservataires_non_resolus"][0] == {
        "valeur": "Bailleur social X contingent", "lignes": 2,
        "suggestions": non_resolus["Bailleur social X contingent"]["suggestions"]}


def test_pref_sans_departement_ecrit_prend_celui_de_la_ligne(base, fichiers):
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers, mad(reference="R1", reservataire_code="PREF", code_insee="04070")))
    assert rapport.statut == "importe", rapport.erreurs
    assert _stockees(base) == [("R1", "PREF", "ETAT-04")]


def test_non_resolu_en_import_partiel_va_en_quarantaine(base, fichiers):
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers,
        mad(reference="R1", reservataire_code="ETAT-13"),
        mad(reference="R2", reservataire_code="Inconnu de tous"),
    ), partiel=True)
    assert (rapport.statut, rapport.lignes_importees, rapport.lignes_rejetees) == ("importe", 1, 1)
    assert _stockees(base) == [("R1", "ETAT-13", "ETAT-13")]
    quarantaine = base.execute("SELECT ligne, motifs FROM quarantaine").fetchall()
    assert [q[0] for q in quarantaine] == [3]
    assert "réservataire « Inconnu de tous » non reconnu" in quarantaine[0][1]


def test_hors_flux_une_valeur_inconnue_est_gardee_telle_quelle(base, fichiers):
    # Outside the flux the réservataire does not count: the value is kept, no error.
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers, mad(reference="R1", categorie="Mutation", reservataire_code="Service RH")))
    assert rapport.statut == "importe", rapport.erreurs
    assert _stockees(base) == [("R1", "Service RH", None)]


# --------------------------------------------------------------------------- conventions

def test_une_convention_declare_sa_correspondance_par_type_et_territoire(base, fichiers):
    rapport = importer(base, "conventions", _conv(
        fichiers,
        convention(reservataire_code="Préfecture des BdR"),                    # ETAT, 13
        convention(reservataire_code="AL", type_reservataire="Action Logement"),
        convention(reservataire_code="Mairie", type_reservataire="Commune",
                   perimetre_type="Commune", perimetre_code="13055"),
        convention(reservataire_code="Région", type_reservataire="Région"),
    ))
    assert rapport.statut == "importe", rapport.erreurs
    assert _stockees(base, "conventions") == [
        ("AL", "ALS", "13"), ("Mairie", "COM-13055", "13"),
        ("Préfecture des BdR", "ETAT-13", "13"), ("Région", "REG-93", "13")]
    assert _correspondances(base) == [
        ("OLS1", "AL", "ALS", "convention"), ("OLS1", "Mairie", "COM-13055", "convention"),
        ("OLS1", "Préfecture des BdR", "ETAT-13", "convention"),
        ("OLS1", "Région", "REG-93", "convention")]
    # The région's identity was created by the convention.
    assert base.execute("SELECT nom, type_reservataire, territoire, origine FROM reservataires "
                        "WHERE reservataire_code = 'REG-93'").fetchall() == [
        ("Conseil régional de Provence-Alpes-Côte d'Azur", "REGION", "93", "CONVENTION")]
    # The MAD of that bailleur written the same way resolve through the correspondence.
    rapport = importer(base, "mises_a_disposition", _mad(
        fichiers, mad(reference="R1", reservataire_code="Préfecture des BdR")))
    assert rapport.statut == "importe"
    assert _stockees(base) == [("R1", "Préfecture des BdR", "ETAT-13")]
    assert rapport.reservataires_resolus_automatiquement == []


def test_une_convention_autre_cree_son_identite(base, fichiers):
    rapport = importer(base, "conventions", _conv(
        fichiers,
        convention(reservataire_code="AUT-CELP", reservataire_nom="Collectif Employeurs",
                   type_reservataire="Autre"),
        convention(reservataire_code="Caisse d'allocations familiales", type_reservataire="Autre",
                   departement="84"),
    ))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reservataire_code, nom, type_reservataire, origine FROM "
                        "reservataires WHERE type_reservataire = 'AUTRE' ORDER BY 1").fetchall() == [
        ("AUT-CAF", "Caisse d'allocations familiales", "AUTRE", "CONVENTION"),
        ("AUT-CELP", "Collectif Employeurs", "AUTRE", "CONVENTION")]
    # Another bailleur's convention naming it by its name finds the same identity.
    rapport = importer(base, "conventions", _conv(
        fichiers, convention(bailleur_code="OLS2", reservataire_code="Collectif Employeurs",
                             type_reservataire="Autre")))
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reservataire_code FROM conventions WHERE bailleur_code = 'OLS2'"
                        ).fetchall() == [("AUT-CELP",)]


def test_un_code_deja_associe_ailleurs_est_une_erreur_nommant_les_deux(base, fichiers):
    definir(base, [Definition("OLS1", "PREF", "ETAT-13")])
    avant = instantane(base)
    rapport = importer(base, "conventions", _conv(
        fichiers, convention(reservataire_code="PREF", departement="04"),
        convention(reservataire_code="ETAT-13", departement="84",
                   date_signature="15/01/2025")))
    assert rapport.statut == "rejete"
    assert instantane(base) == avant
    assert [(e.ligne, e.colonne, e.valeur) for e in rapport.erreurs] == [
        (2, "reservataire_code", "PREF"), (3, "reservataire_code", "ETAT-13")]
    assert ("« PREF » désigne déjà ETAT-13 (Préfet des Bouches-du-Rhône — contingent "
            "préfectoral) pour ce bailleur" in rapport.erreurs[0].message)
    assert "ETAT-04 (Préfet des Alpes-de-Haute-Provence — contingent préfectoral)" in (
        rapport.erreurs[0].message)
    assert ("le code ETAT-13 du référentiel désigne Préfet des Bouches-du-Rhône" in
            rapport.erreurs[1].message)
    assert "ETAT-84" in rapport.erreurs[1].message


def test_recapitulatif_de_signature_sans_taux(base, fichiers):
    # A bailleur's summary of its conventions, signed or not, with the reason: no taux.
    colonnes = ["bailleur_code", "reservataire_code", "type_reservataire", "departement",
                "perimetre_type", "annee", "statut", "date_signature", "motif_non_signature"]
    chemin = fichiers.csv(tableau(
        colonnes,
        {"bailleur_code": "OLS1", "reservataire_code": "Préfet", "type_reservataire": "Etat",
         "departement": "13", "perimetre_type": "Département", "annee": "2025",
         "statut": "Non signée", "motif_non_signature": "Désaccord sur le taux"},
        {"bailleur_code": "OLS1", "reservataire_code": "Action Logement",
         "type_reservataire": "Action Logement", "departement": "13",
         "perimetre_type": "Département", "annee": "2025", "statut": "Signée",
         "date_signature": "10/03/2025"}))
    rapport = importer(base, "conventions", chemin)
    assert rapport.statut == "importe", rapport.erreurs
    assert base.execute("SELECT reservataire_code, statut, taux_flux, droits_annuels, "
                        "motif_non_signature FROM conventions ORDER BY 1").fetchall() == [
        ("ALS", "SIGNEE", None, None, None),
        ("ETAT-13", "NON_SIGNEE", None, None, "Désaccord sur le taux")]


# ----------------------------------------------------------------- changing a correspondence

def test_changer_une_correspondance_rattache_les_lignes_et_se_journalise(base, fichiers):
    importer(base, "mises_a_disposition", _mad(
        fichiers, mad(reference="R1", reservataire_code="PREF13"),
        mad(reference="R2", reservataire_code="pref 13"),      # same value, folded
        mad(reference="R3", reservataire_code="ETAT-13")))
    assert _stockees(base) == [("R1", "PREF13", "ETAT-13"), ("R2", "pref 13", "ETAT-13"),
                               ("R3", "ETAT-13", "ETAT-13")]
    resultat = definir(base, [Definition("OLS1", "PREF13", "ETAT-AG-13")],
                       utilisateur="dreal@exemple.example")
    assert (resultat.definies, resultat.lignes_rattachees) == (1, 2)
    assert _stockees(base) == [("R1", "PREF13", "ETAT-AG-13"), ("R2", "pref 13", "ETAT-AG-13"),
                               ("R3", "ETAT-13", "ETAT-13")]
    assert base.execute("SELECT bailleur_code, valeur, ancien_code, nouveau_code, origine, "
                        "lignes_rattachees, utilisateur FROM journal_correspondances "
                        "ORDER BY id DESC LIMIT 1").fetchall() == [
        ("OLS1", "PREF13", "ETAT-13", "ETAT-AG-13", "manuelle", 2, "dreal@exemple.example")]
    # The same definition again changes nothing.
    assert definir(base, [Definition("OLS1", "PREF13", "ETAT-AG-13")]).inchangees == 1


def test_une_correspondance_contraire_aux_conventions_est_refusee(base, fichiers):
    importer(base, "conventions", _conv(fichiers, convention(reservataire_code="PREF13")))
    avant = instantane(base)
    with pytest.raises(FichierRejete) as exc:
        definir(base, [Definition("OLS1", "PREF13", "ALS")])
    assert "sont de type État — contingent préfectoral" in exc.value.erreurs[0].message
    assert instantane(base) == avant


# ------------------------------------------------------------------- the bilan adds them up

def test_deux_bailleurs_nommant_le_prefet_autrement_font_une_ligne(base, fichiers, capsys,
                                                                    tmp_path):
    # OLS1: convention « PREF13 » (État, 13), droits estimated at 40 a year (no parc);
    # OLS2: convention « ETAT-13 », 20 a year. MAD in 2025: OLS1 writes « PREF13 » (3 MAD),
    # OLS2 « Préfecture 13 - contingent prioritaire » (2 MAD).
    assert importer(base, "conventions", _conv(
        fichiers, convention(reservataire_code="PREF13", taux_flux="", droits_annuels="40"),
        convention(bailleur_code="OLS2", reservataire_code="ETAT-13", taux_flux="",
                   droits_annuels="20"))).statut == "importe"
    rangees = [mad(reference=f"A{i}", reservataire_code="PREF13") for i in range(3)] + [
        mad(bailleur_code="OLS2", reference=f"B{i}",
            reservataire_code="Préfecture 13 - contingent prioritaire") for i in range(2)]
    assert importer(base, "mises_a_disposition", _mad(fichiers, *rangees)).statut == "importe"
    chemin = base.execute("SELECT path FROM duckdb_databases() WHERE database_name = "
                          "current_database()").fetchone()[0]
    base.close()
    assert main(["bilan", "--annee", "2025", "--trimestre", "4", "--par", "reservataire",
                 "--format", "json", "--db", chemin]) == 0
    lignes = json.loads(capsys.readouterr().out)
    assert [l["cle"] for l in lignes] == ["ETAT-13"]
    etat = lignes[0]
    assert etat["libelle"] == "Préfet des Bouches-du-Rhône — contingent préfectoral"
    assert etat["droits_annuels"] == 60.0             # 40 + 20
    assert etat["droits_prevus"] == 60.0              # 60 × 4 ÷ 4
    assert etat["mises_a_disposition"] == 5           # 3 + 2
    assert etat["ecart"] == -55.0                     # 5 − 60
    assert etat["taux_realisation"] == pytest.approx(0.0833, abs=1e-4)   # 5 ÷ 60
