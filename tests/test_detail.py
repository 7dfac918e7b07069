"""The rows behind a figure (issue 13): ``metrics.detail`` and ``python -m dashboard detail``.

A hand-made database where every MAD is written next to what it counts for; the expected counts
are computed by hand in the comments, then checked against both the bilan and the detail (the
detail must always give as many rows as the bilan's ``mises_a_disposition``). Then the same
equality on the sample database, for every key of every axis.
"""

import csv
import io
import json
from pathlib import Path

import metrics_fixtures as fx
import pandas as pd
import pytest

from dashboard import metrics, store
from dashboard.cli import main
from dashboard.initialisation import ouvrir
from dashboard.metrics import AXES, Filtres, bilan, detail, total
from dashboard.metrics.detail import COLONNES_DETAIL, COLONNES_DETAIL_SUPPLEMENTAIRES

CONTRAT = ["reference", "bailleur_code", "date_mise_a_disposition", "code_insee",
           "reservataire_code", "categorie", "issue", "date_bail", "convention"]
METROPOLE = "200054807"
AUTRE_EPCI = "200000001"


def _remplir(con) -> None:
    """Bilan 2025 au 30/06 (T2). Territories: Aix (13001) and Marseille (13055) in the
    Métropole, Gardanne (13100) in another EPCI, 13999 in no EPCI, Digne (04070) in no EPCI.

    Conventions 2025 (droits play no part in the counts):
      B1 × ETAT13   département 13          SIGNEE
      B1 × ETAT13   commune 13001            SIGNEE      (commune > département for Aix)
      B1 × COM13055 commune 13055            EN_COURS
      B1 × EPCI1    EPCI 200054807           NON_SIGNEE
      B2 × ALS      département 13           SIGNEE
    MAD (B1 unless said), FLUX unless said:
      M1  ETAT13   13055 10/02/2025 bail 01/03/2025   -> ETAT13 × département 13
      M2  ETAT13   13001 05/05/2025 bail 03/07/2025   -> ETAT13 × commune 13001 (bail in T3)
      M3  COM13055 13055 15/04/2025 en cours          -> COM13055 × commune 13055
      M4  EPCI1    13001 20/01/2025 refus CALEOL      -> EPCI1 × EPCI 200054807
      M5  EPCI1    13100 30/06/2025 en cours          -> sans convention (other EPCI)
      M6  ZZ       13999 31/03/2025 bail 01/04/2025   -> sans convention, type INCONNU, non ventilé
      M7  MUTATION 13055 01/02/2025                   -> not counted (hors flux)
      M8  NON_RESERVE 13055 02/02/2025                -> not counted (the bailleur's own share)
      M9  ETAT13   13055 20/12/2024 bail 10/01/2025   -> baux view only (MAD dated 2024)
      M10 ETAT13   13055 01/07/2025                   -> T3: not counted at T2
      M11 B2 ALS   13055 01/04/2025 bail 30/06/2025   -> ALS × département 13
      M12 B2 ALS   04070 20/05/2025 en cours          -> sans convention (no ALS convention in 04)
    """
    fx.epci(con, METROPOLE, "Métropole d'Aix-Marseille-Provence")
    fx.epci(con, AUTRE_EPCI, "CA du Pays de Gardanne")
    fx.commune(con, "13001", "13", METROPOLE, nom="Aix-en-Provence")
    fx.commune(con, "13055", "13", METROPOLE, nom="Marseille")
    fx.commune(con, "13100", "13", AUTRE_EPCI, nom="Gardanne")
    fx.commune(con, "13999", "13", None, nom="Commune sans EPCI")
    fx.commune(con, "04070", "04", None, nom="Digne-les-Bains")
    fx.convention(con, "B1", "ETAT13", taux_flux=20, bailleur_nom="Habitat Provence",
                  reservataire_nom="Préfet des Bouches-du-Rhône")
    fx.convention(con, "B1", "ETAT13", perimetre_type="COMMUNE", perimetre_code="13001",
                  taux_flux=10)
    fx.convention(con, "B1", "COM13055", type_reservataire="COMMUNE", perimetre_type="COMMUNE",
                  perimetre_code="13055", statut="EN_COURS", taux_flux=5,
                  reservataire_nom="Ville de Marseille")
    fx.convention(con, "B1", "EPCI1", type_reservataire="EPCI", perimetre_type="EPCI",
                  perimetre_code=METROPOLE, statut="NON_SIGNEE", taux_flux=5)
    fx.convention(con, "B2", "ALS", type_reservataire="ACTION_LOGEMENT", taux_flux=30,
                  bailleur_nom="Logis du Sud", reservataire_nom="Action Logement Services")
    fx.mad(con, "B1", "2025-02-10", "13055", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-03-01", reference="M1")
    fx.mad(con, "B1", "2025-05-05", "13001", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-07-03", reference="M2")
    fx.mad(con, "B1", "2025-04-15", "13055", reservataire="COM13055", reference="M3")
    fx.mad(con, "B1", "2025-01-20", "13001", reservataire="EPCI1", issue="REFUS_CALEOL",
           reference="M4")
    fx.mad(con, "B1", "2025-06-30", "13100", reservataire="EPCI1", reference="M5")
    fx.mad(con, "B1", "2025-03-31", "13999", reservataire="ZZ", issue="BAIL_SIGNE",
           date_bail="2025-04-01", reference="M6")
    fx.mad(con, "B1", "2025-02-01", "13055", categorie="MUTATION", reference="M7")
    fx.mad(con, "B1", "2025-02-02", "13055", categorie="NON_RESERVE", reference="M8")
    fx.mad(con, "B1", "2024-12-20", "13055", reservataire="ETAT13", issue="BAIL_SIGNE",
           date_bail="2025-01-10", reference="M9")
    fx.mad(con, "B1", "2025-07-01", "13055", reservataire="ETAT13", reference="M10")
    fx.mad(con, "B2", "2025-04-01", "13055", reservataire="ALS", issue="BAIL_SIGNE",
           date_bail="2025-06-30", reference="M11")
    fx.mad(con, "B2", "2025-05-20", "04070", reservataire="ALS", reference="M12")
    # M1 as its bailleur's file described it
    con.execute("""
        UPDATE mises_a_disposition
        SET reservataire_valeur = 'Préfecture 13', typologie = 'T3', financement = 'PLAI',
            qpv = true, public_prioritaire = true, rpls = '1234567890',
            annee_construction = 1975, candidat_bailleur = false
        WHERE reference = 'M1'""")


@pytest.fixture
def con():
    connexion = fx.base_vide()
    _remplir(connexion)
    yield connexion
    connexion.close()


@pytest.fixture
def db(tmp_path):
    chemin = tmp_path / "flux.duckdb"
    connexion = store.connect(chemin)
    _remplir(connexion)
    connexion.close()
    return str(chemin)


# (vue, periode) -> axis -> key -> the MAD counted, by hand (see _remplir).
ATTENDU = {
    # view mad, 01/01 → 30/06: M1, M2, M3, M4, M5, M6, M11, M12 (8)
    ("mad", "cumul"): {
        "reservataire": {"ETAT13": ["M1", "M2"], "COM13055": ["M3"], "EPCI1": ["M4", "M5"],
                         "ZZ": ["M6"], "ALS": ["M11", "M12"]},
        "type_reservataire": {"ETAT": ["M1", "M2"], "COMMUNE": ["M3"], "EPCI": ["M4", "M5"],
                              "INCONNU": ["M6"], "ACTION_LOGEMENT": ["M11", "M12"]},
        "bailleur": {"B1": ["M1", "M2", "M3", "M4", "M5", "M6"], "B2": ["M11", "M12"]},
        "departement": {"13": ["M1", "M2", "M3", "M4", "M5", "M6", "M11"], "04": ["M12"]},
        "epci": {METROPOLE: ["M1", "M2", "M3", "M4", "M11"], AUTRE_EPCI: ["M5"],
                 "NON_VENTILE": ["M6", "M12"]},
        "trimestre": {"2025-T1": ["M1", "M4", "M6"], "2025-T2": ["M2", "M3", "M5", "M11", "M12"]},
    },
    # view mad, 01/04 → 30/06: M2, M3, M5, M11, M12 (5)
    ("mad", "trimestre"): {
        "reservataire": {"ETAT13": ["M2"], "COM13055": ["M3"], "EPCI1": ["M5"],
                         "ALS": ["M11", "M12"]},
        "type_reservataire": {"ETAT": ["M2"], "COMMUNE": ["M3"], "EPCI": ["M5"],
                              "ACTION_LOGEMENT": ["M11", "M12"]},
        "bailleur": {"B1": ["M2", "M3", "M5"], "B2": ["M11", "M12"]},
        "departement": {"13": ["M2", "M3", "M5", "M11"], "04": ["M12"]},
        "epci": {METROPOLE: ["M2", "M3", "M11"], AUTRE_EPCI: ["M5"], "NON_VENTILE": ["M12"]},
        # on the axis 'trimestre' the period has no effect: each quarter its own MAD
        "trimestre": {"2025-T1": ["M1", "M4", "M6"], "2025-T2": ["M2", "M3", "M5", "M11", "M12"]},
    },
    # view baux, bail dated 01/01 → 30/06: M1, M6, M9, M11 (M2's bail is in T3) (4)
    ("baux", "cumul"): {
        "reservataire": {"ETAT13": ["M1", "M9"], "ZZ": ["M6"], "ALS": ["M11"]},
        "type_reservataire": {"ETAT": ["M1", "M9"], "INCONNU": ["M6"], "ACTION_LOGEMENT": ["M11"]},
        "bailleur": {"B1": ["M1", "M6", "M9"], "B2": ["M11"]},
        "departement": {"13": ["M1", "M6", "M9", "M11"]},
        "epci": {METROPOLE: ["M1", "M9", "M11"], "NON_VENTILE": ["M6"]},
        "trimestre": {"2025-T1": ["M1", "M9"], "2025-T2": ["M6", "M11"]},
    },
    # view baux, bail dated 01/04 → 30/06: M6, M11 (2)
    ("baux", "trimestre"): {
        "reservataire": {"ZZ": ["M6"], "ALS": ["M11"]},
        "type_reservataire": {"INCONNU": ["M6"], "ACTION_LOGEMENT": ["M11"]},
        "bailleur": {"B1": ["M6"], "B2": ["M11"]},
        "departement": {"13": ["M6", "M11"]},
        "epci": {METROPOLE: ["M11"], "NON_VENTILE": ["M6"]},
        "trimestre": {"2025-T1": ["M1", "M9"], "2025-T2": ["M6", "M11"]},
    },
}
TOTAUX = {("mad", "cumul"): 8, ("mad", "trimestre"): 5, ("baux", "cumul"): 4,
          ("baux", "trimestre"): 2}


def _mad_du_bilan(con, par, vue, periode, filtres=None) -> dict[str, int]:
    df = bilan(con, 2025, 2, par, vue, periode, filtres)
    return {c: int(n) for c, n in zip(df["cle"], df["mises_a_disposition"]) if n}


# --- the counts, by hand ------------------------------------------------------------------------

@pytest.mark.parametrize("vue,periode", list(ATTENDU))
def test_chaque_cle_de_chaque_axe_egale_le_bilan(con, vue, periode):
    for par in AXES:
        attendu = ATTENDU[(vue, periode)][par]
        # the bilan says the same as the hand count...
        assert _mad_du_bilan(con, par, vue, periode) == {c: len(m) for c, m in attendu.items()}, par
        # ...and the detail lists exactly those MAD
        for cle, references in attendu.items():
            df = detail(con, 2025, 2, par, cle, vue, periode)
            assert sorted(df["reference"]) == sorted(references), (par, cle)
    tout = detail(con, 2025, 2, vue=vue, periode=periode)
    assert len(tout) == TOTAUX[(vue, periode)]
    assert int(total(con, 2025, 2, vue, periode).iloc[0]["mises_a_disposition"]) == len(tout)


def test_cle_inconnue_ou_hors_fenetre_aucune_ligne(con):
    assert detail(con, 2025, 2, "reservataire", "INCONNU-99").empty
    # ZZ has no MAD dated in T2 (M6 is dated 31/03): no row of the bilan, no row here
    assert "ZZ" not in _mad_du_bilan(con, "reservataire", "mad", "trimestre")
    assert detail(con, 2025, 2, "reservataire", "ZZ", periode="trimestre").empty
    # a quarter after the bilan's
    assert detail(con, 2025, 2, "trimestre", "2025-T3").empty
    assert list(detail(con, 2025, 3, "trimestre", "2025-T3")["reference"]) == ["M10"]
    assert detail(con, 2026, 2).empty


def test_filtres_comme_le_bilan(con):
    cas = [
        # (filtres, par, cle, MAD by hand) — view mad, cumul
        (Filtres(statut="SANS_CONVENTION"), None, None, ["M5", "M6", "M12"]),
        (Filtres(statut="SIGNEE"), None, None, ["M1", "M2", "M11"]),
        (Filtres(statut="EN_COURS,NON_SIGNEE"), None, None, ["M3", "M4"]),
        (Filtres(departement="04"), None, None, ["M12"]),
        (Filtres(epci="NON_VENTILE"), None, None, ["M6", "M12"]),
        (Filtres(type_reservataire="INCONNU"), None, None, ["M6"]),
        (Filtres(reservataire="EPCI1"), "epci", METROPOLE, ["M4"]),
        (Filtres(bailleur="B1", epci=METROPOLE), "reservataire", "ETAT13", ["M1", "M2"]),
        (Filtres(bailleur="B2"), "departement", "13", ["M11"]),
    ]
    for filtres, par, cle, references in cas:
        df = detail(con, 2025, 2, par, cle, filtres=filtres)
        assert sorted(df["reference"]) == sorted(references), filtres
        if par is None:
            chiffre = total(con, 2025, 2, filtres=filtres).iloc[0]["mises_a_disposition"]
        else:
            chiffre = _mad_du_bilan(con, par, "mad", "cumul", filtres)[cle]
        assert chiffre == len(references), filtres


# --- the columns --------------------------------------------------------------------------------

def test_colonnes_du_contrat_et_valeurs(con):
    df = detail(con, 2025, 2, "bailleur", "B1")
    assert list(df.columns)[:9] == CONTRAT
    assert list(df.columns) == list(COLONNES_DETAIL + COLONNES_DETAIL_SUPPLEMENTAIRES)
    # by date of MAD
    assert list(df["reference"]) == ["M4", "M1", "M6", "M3", "M2", "M5"]
    par_ref = {r["reference"]: r for r in df.to_dict("records")}
    m1 = par_ref["M1"]
    assert m1["bailleur_code"] == "B1" and m1["code_insee"] == "13055"
    assert m1["date_mise_a_disposition"] == pd.Timestamp("2025-02-10")
    assert m1["date_bail"] == pd.Timestamp("2025-03-01")
    assert (m1["categorie"], m1["issue"]) == ("FLUX", "BAIL_SIGNE")
    assert m1["convention"] == "B1 × ETAT13 × département 13 × 2025"
    assert m1["reservataire_code"] == "ETAT13"
    assert m1["reservataire_valeur"] == "Préfecture 13"          # as the file wrote it
    assert m1["reservataire_nom"] == "Préfet des Bouches-du-Rhône"
    assert m1["bailleur_nom"] == "Habitat Provence"
    assert (m1["commune_nom"], m1["epci_siren"], m1["epci_nom"], m1["departement"]) == (
        "Marseille", METROPOLE, "Métropole d'Aix-Marseille-Provence", "13")
    assert (m1["type_reservataire"], m1["statut_convention"]) == ("ETAT", "SIGNEE")
    assert (m1["typologie"], m1["financement"], m1["rpls"]) == ("T3", "PLAI", "1234567890")
    assert m1["qpv"] is True and m1["public_prioritaire"] is True
    assert m1["candidat_bailleur"] is False
    assert m1["annee_construction"] == 1975
    # the most specific perimeter: commune > EPCI > département
    assert par_ref["M2"]["convention"] == "B1 × ETAT13 × commune 13001 × 2025"
    assert par_ref["M3"]["convention"] == "B1 × COM13055 × commune 13055 × 2025"
    assert par_ref["M4"]["convention"] == "B1 × EPCI1 × EPCI 200054807 × 2025"
    assert par_ref["M2"]["date_bail"] == pd.Timestamp("2025-07-03")
    # without convention
    m5, m6 = par_ref["M5"], par_ref["M6"]
    assert m5["convention"] == m6["convention"] == "sans convention"
    assert m5["statut_convention"] == "SANS_CONVENTION"
    assert m5["type_reservataire"] == "EPCI"          # from the réservataire's conventions
    assert m6["type_reservataire"] == "INCONNU"
    assert m6["epci_siren"] is None and m6["epci_nom"] is None
    assert pd.isna(m6["qpv"]) and m6["typologie"] is None    # not given: missing, not False
    assert pd.isna(par_ref["M3"]["date_bail"])


def test_vue_baux_triee_par_date_de_bail(con):
    df = detail(con, 2025, 2, vue="baux")
    assert list(df["reference"]) == ["M9", "M1", "M6", "M11"]   # 10/01, 01/03, 01/04, 30/06
    assert list(df["trimestre_compte"]) == [1, 1, 2, 2]


def test_arguments_invalides(con):
    with pytest.raises(ValueError, match="vont ensemble"):
        detail(con, 2025, 2, "reservataire")
    with pytest.raises(ValueError, match="vont ensemble"):
        detail(con, 2025, 2, cle="ETAT13")
    with pytest.raises(ValueError, match="axe inconnu"):
        detail(con, 2025, 2, "commune", "13055")
    with pytest.raises(ValueError, match="vue inconnue"):
        detail(con, 2025, 2, vue="attributions")
    with pytest.raises(ValueError, match="trimestre invalide"):
        detail(con, 2025, 5)


# --- the sample database: every key of every axis -----------------------------------------------

def _cles_des_lignes(df: pd.DataFrame, par: str, annee: int) -> pd.Series:
    """The key each row has on axis ``par``, read from its own columns."""
    if par == "reservataire":
        return df["reservataire_code"]
    if par == "type_reservataire":
        return df["type_reservataire"]
    if par == "bailleur":
        return df["bailleur_code"]
    if par == "departement":
        return df["departement"]
    if par == "epci":
        return df["epci_siren"].fillna("NON_VENTILE")
    return pd.Series([f"{annee}-T{q}" for q in df["trimestre_compte"]], index=df.index)


@pytest.mark.parametrize("annee,trimestre,vue,periode", [
    (2025, 2, "mad", "cumul"), (2025, 3, "mad", "trimestre"), (2025, 4, "baux", "cumul"),
    (2026, 2, "baux", "trimestre")])
def test_exemple_chaque_cle_de_chaque_axe_egale_le_bilan(base_exemple, annee, trimestre, vue,
                                                          periode):
    con = ouvrir(base_exemple)
    try:
        tout = detail(con, annee, trimestre, vue=vue, periode=periode)
        assert len(tout) > 100
        for par in AXES:
            b = bilan(con, annee, trimestre, par, vue, periode)
            chiffres = {c: int(n) for c, n in zip(b["cle"], b["mises_a_disposition"]) if n}
            # every key of the bilan: the rows of the whole selection that carry that key
            # (on the axis 'trimestre' the period has no effect: every quarter to date)
            lignes = tout if par != "trimestre" else detail(con, annee, trimestre, vue=vue)
            comptes = _cles_des_lignes(lignes, par, annee).value_counts().to_dict()
            assert {c: int(n) for c, n in comptes.items()} == chiffres, par
            # and, for a few keys, the detail asked for that key (the largest, the smallest)
            ordre = sorted(chiffres, key=lambda c: (chiffres[c], c))
            for cle in {ordre[0], ordre[-1]}:
                assert len(detail(con, annee, trimestre, par, cle, vue, periode)) == chiffres[cle]
        assert int(total(con, annee, trimestre, vue, periode).iloc[0][
            "mises_a_disposition"]) == len(tout)
    finally:
        con.close()


# --- the command line ---------------------------------------------------------------------------

def _csv(texte):
    return list(csv.DictReader(io.StringIO(texte)))


def test_cli_csv_contrat_et_regles_machines(db, capsys):
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "reservataire",
                 "--cle", "ETAT13", "--format", "csv", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert sortie.splitlines()[0].split(",")[:9] == CONTRAT
    lignes = _csv(sortie)
    assert [r["reference"] for r in lignes] == ["M1", "M2"]
    m1 = lignes[0]
    assert m1["date_mise_a_disposition"] == "2025-02-10"          # ISO dates
    assert m1["date_bail"] == "2025-03-01"
    assert m1["qpv"] == "true" and m1["candidat_bailleur"] == "false"
    assert m1["annee_construction"] == "1975"
    assert m1["convention"] == "B1 × ETAT13 × département 13 × 2025"
    assert lignes[1]["qpv"] == ""                                  # not given: empty
    assert lignes[1]["date_bail"] == "2025-07-03"


def test_cli_json_memes_options_que_bilan(db, capsys):
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "epci",
                 "--cle", "NON_VENTILE", "--vue", "baux", "--periode", "trimestre",
                 "--format", "json", "--db", db]) == 0
    donnees = json.loads(capsys.readouterr().out)
    assert [d["reference"] for d in donnees] == ["M6"]
    assert list(donnees[0])[:9] == CONTRAT
    assert donnees[0]["epci_siren"] is None and donnees[0]["qpv"] is None
    assert donnees[0]["convention"] == "sans convention"
    # filters as bilan: repeated or comma-separated
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--statut",
                 "EN_COURS,NON_SIGNEE", "--format", "json", "--db", db]) == 0
    assert sorted(d["reference"] for d in json.loads(capsys.readouterr().out)) == ["M3", "M4"]
    assert main(["detail", "--annee", "2025", "--trimestre", "T2", "--statut", "EN_COURS",
                 "--statut", "NON_SIGNEE", "--format", "json", "--db", db]) == 0
    assert sorted(d["reference"] for d in json.loads(capsys.readouterr().out)) == ["M3", "M4"]


def test_cli_table_pour_les_gens(db, capsys):
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "reservataire",
                 "--cle", "ETAT13", "--db", db]) == 0
    sortie = capsys.readouterr().out
    premiere = sortie.splitlines()[0]
    assert premiere == ("Réservataire Préfet des Bouches-du-Rhône (ETAT13) — au 30/06/2025 — "
                        "2 mises à disposition")
    assert "Date de mise à disposition" in sortie and "Référence" in sortie
    assert "10/02/2025" in sortie and "01/03/2025" in sortie     # French dates
    assert "Marseille (13055)" in sortie and "Flux réservataire" in sortie
    assert "Bail signé" in sortie
    assert sortie.rstrip().endswith("2 lignes")
    assert "nan" not in sortie.lower() and "NaT" not in sortie
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "trimestre",
                 "--cle", "2025-T1", "--vue", "baux", "--bailleur", "B1", "--db", db]) == 0
    premiere = capsys.readouterr().out.splitlines()[0]
    assert premiere == ("Trimestre T1 2025 — du 01/01/2025 au 31/03/2025 — 2 baux signés (par "
                        "date de bail) — filtres : bailleur B1")


def test_cli_cle_inconnue_zero_ligne(db, capsys):
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "reservataire",
                 "--cle", "PERSONNE", "--db", db]) == 0
    sortie = capsys.readouterr().out
    assert "Aucune mise à disposition" in sortie
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "reservataire",
                 "--cle", "PERSONNE", "--format", "json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--par", "bailleur",
                 "--cle", "PERSONNE", "--format", "csv", "--db", db]) == 0
    lignes = capsys.readouterr().out.splitlines()
    assert len(lignes) == 1 and lignes[0].split(",")[:9] == CONTRAT   # the header alone


def test_cli_statuts_de_sortie(db, tmp_path, capsys):
    for arguments in (["--par", "reservataire"], ["--cle", "ETAT13"],
                      ["--par", "commune", "--cle", "13055"], ["--vue", "attributions"]):
        with pytest.raises(SystemExit) as exc:
            main(["detail", "--annee", "2025", "--trimestre", "2", *arguments, "--db", db])
        assert exc.value.code == 2, arguments
        assert "erreur d'utilisation" in capsys.readouterr().err
    illisible = tmp_path / "illisible.duckdb"
    illisible.write_bytes(b"ceci n'est pas une base DuckDB\n" * 200)
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--db", str(illisible)]) == 1
    assert "base" in capsys.readouterr().err
    absente = tmp_path / "absente.duckdb"
    assert main(["detail", "--annee", "2025", "--trimestre", "2", "--db", str(absente)]) == 2
    assert "base introuvable" in capsys.readouterr().err
    assert not Path(absente).exists()


def test_exemple_cellules_de_la_carte_de_chaleur(base_exemple):
    """A cell bailleur × type of the Bilan's heatmap: the detail of the type, narrowed to the
    bailleur (what ``ui.detail.lien_detail(..., bailleur=…)`` links to), has its count."""
    con = ouvrir(base_exemple)
    try:
        croise = metrics.bilan_croise(con, 2025, 2, "bailleur", "type_reservataire")
        cellules = croise[croise["mises_a_disposition"] > 0].sort_values(
            ["mises_a_disposition", "cle_ligne", "cle_colonne"])
        for cellule in (cellules.iloc[0], cellules.iloc[len(cellules) // 2], cellules.iloc[-1]):
            lignes = detail(con, 2025, 2, "type_reservataire", cellule["cle_colonne"],
                            filtres=Filtres(bailleur=cellule["cle_ligne"]))
            assert len(lignes) == cellule["mises_a_disposition"]
    finally:
        con.close()
