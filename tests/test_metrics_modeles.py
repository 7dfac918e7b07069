"""The SQL models' shared pieces: the filter condition and the axis key written once
(``{{ filtres(...) }}``, ``{{ cle_axe(...) }}``, expanded by ``dashboard.metrics.modeles``), and
mart_bilan's second key (``$par_croise``) and « others » list (``$cles_autres``) as plain
parameters.
"""

import re

import metrics_fixtures as fx
import pytest

from dashboard.metrics import COLONNES_CROISE, Filtres, bilan_croise, indicateurs, modeles, total
from dashboard.metrics.filtres import COLONNES_FILTRES


def test_fragment_filtres_colonnes_usuelles_et_expressions():
    sql = modeles.developper("WHERE x AND {{ filtres(departement, bailleur = f.bailleur_code,\n"
                             "  statut) }}")
    assert sql == (
        "WHERE x AND ((len($f_departement) = 0 OR list_contains($f_departement, departement))\n"
        "     AND (len($f_bailleur) = 0 OR list_contains($f_bailleur, f.bailleur_code))\n"
        "     AND (len($f_statut) = 0 OR list_contains($f_statut, "
        "coalesce(statut, 'SANS_CONVENTION'))))")


def test_fragment_filtres_refuse_un_champ_inconnu_ou_vide():
    with pytest.raises(ValueError, match="filtre inconnu"):
        modeles.developper("{{ filtres(commune) }}")
    with pytest.raises(ValueError, match="sans champ"):
        modeles.developper("{{ filtres() }}")
    with pytest.raises(ValueError, match="fragment SQL inconnu"):
        modeles.developper("{{ filtre(departement) }}")


def test_fragment_cle_axe():
    sql = modeles.developper("{{ cle_axe($par, trimestre = trimestre_mad) }}")
    assert sql.startswith("CASE $par WHEN 'reservataire' THEN reservataire_code ")
    assert "WHEN 'epci' THEN epci_cle " in sql
    assert sql.endswith(
        "WHEN 'trimestre' THEN $annee::VARCHAR || '-T' || (trimestre_mad)::VARCHAR END")
    with pytest.raises(ValueError, match="paramètre de l'axe"):
        modeles.developper("{{ cle_axe(bailleur) }}")


def test_fragment_en_fichier_recoit_sa_relation():
    sql = modeles.developper("WITH l AS (SELECT 1) {{ sommes_signatures(l) }}")
    assert re.search(r"FROM l\s+GROUP BY cle\s+\) AS sommes$", sql)
    assert "{{" not in sql and "--" not in sql
    with pytest.raises(ValueError, match=r"attend 1 argument\(s\) \(lignes\), reçu 2"):
        modeles.developper("{{ sommes_signatures(a, b) }}")
    with pytest.raises(ValueError, match="fragment SQL inconnu : somme_signatures "
                                         r"\(cle_axe, filtres, sommes_signatures\)"):
        modeles.developper("{{ somme_signatures(a) }}")


def test_les_deux_marts_des_signatures_partagent_leurs_sommes():
    # the aggregation is written once (fragments/sommes_signatures.sql), not in each mart
    for nom in ("mart_signatures", "mart_signatures_epci"):
        texte = _texte_sans_commentaires(modeles.SQL_DIR / f"{nom}.sql")
        assert "{{ sommes_signatures(" in texte and "count(*)" not in texte


def _texte_sans_commentaires(chemin) -> str:
    return re.sub(r"--[^\n]*", "", chemin.read_text(encoding="utf-8"))


def test_chaque_modele_filtre_par_le_fragment():
    """No model writes a filter term by hand: every ``$f_<field>`` of a model comes from
    ``{{ filtres(...) }}`` — but int_conventions_filtrees' EPCI filter (a convention is in an
    EPCI through int_ventilation_epci, not through a column) and mart_bilan's choice of the
    droits apportioned to the EPCI under an EPCI filter."""
    exceptions = {("int_conventions_filtrees", "f_epci"), ("mart_bilan", "f_epci")}
    filtrants = []
    for chemin in sorted(modeles.SQL_DIR.glob("*.sql")):
        texte = _texte_sans_commentaires(chemin)
        a_la_main = {p for p in re.findall(r"\$(f_[a-z_]+)", texte)
                     if (chemin.stem, p) not in exceptions}
        assert not a_la_main, f"{chemin.stem} filtre à la main : {sorted(a_la_main)}"
        if "{{ filtres(" in texte:
            filtrants.append(chemin.stem)
    assert len(filtrants) >= 12, filtrants
    # and what the application binds is exactly what the fragments read
    assert {f"f_{c}" for c in COLONNES_FILTRES} == set(Filtres().parametres())


def _base() -> object:
    """B1 and B2 in the 13, droits acquis: R1 (ETAT) 40 with B1, R2 (COMMUNE) 80 with B1 and
    20 with B2, R3 (AUTRE) 20 with B2. MAD over 2025: B1-R1 10, B1-R2 100, B2-R2 4, B2-R3 6, and
    B2-R9 2 (no convention)."""
    con = fx.base_vide()
    fx.commune(con, "13001", "13")
    for bailleur, code, type_r, droits in (("B1", "R1", "ETAT", 40), ("B1", "R2", "COMMUNE", 80),
                                           ("B2", "R2", "COMMUNE", 20),
                                           ("B2", "R3", "AUTRE", 20)):
        fx.convention(con, bailleur, code, type_reservataire=type_r, methode="DROITS_ACQUIS",
                      droits_annuels=droits)
    for bailleur, code, nombre in (("B1", "R1", 10), ("B1", "R2", 100), ("B2", "R2", 4),
                                   ("B2", "R3", 6), ("B2", "R9", 2)):
        fx.mad(con, bailleur, "2025-03-01", "13001", reservataire=code, nombre=nombre)
    return con


def test_mart_bilan_autres_croises():
    """« Autres » crossed with a second axis: one row per bailleur for the keys summed
    together, each the total of those keys for that bailleur (ratios of their sums)."""
    con = _base()
    df = indicateurs._mart(con, indicateurs.faits(con, 2025), 2025, 4, "reservataire", "mad",
                           "cumul", None, par_croise="bailleur", cles_autres=["R2", "R3", "R9"])
    autres = df[df["est_autres"]].set_index("cle_croisee")
    assert autres["cle"].isna().all()
    assert sorted(autres.index) == ["B1", "B2"]
    for bailleur in ("B1", "B2"):
        reste = total(con, 2025, 4, filtres=Filtres(reservataire="R2,R3,R9",
                                                    bailleur=bailleur)).iloc[0]
        for col in ("droits_prevus", "mises_a_disposition", "ecart", "taux_realisation",
                    "nb_conventions", "mad_sans_convention"):
            assert autres.loc[bailleur, col] == pytest.approx(reste[col]), (bailleur, col)
    assert autres.loc["B2", "taux_realisation"] == pytest.approx(12 / 40)   # (4 + 6 + 2) ÷ 40
    # the keys kept have their own rows, untouched
    r1 = df[(df["cle"] == "R1") & ~df["est_autres"]]
    assert list(r1["cle_croisee"]) == ["B1"] and r1.iloc[0]["mises_a_disposition"] == 10


def test_bilan_croise_un_appel_du_mart(monkeypatch):
    """The crossed bilan reads mart_bilan once, with the second axis as a parameter."""
    con = _base()
    appels = []
    original = indicateurs.executer_sur_faits

    def espion(con_, entree, nom, params):
        appels.append((nom, params["par"], params["par_croise"], params["cles_autres"]))
        return original(con_, entree, nom, params)

    monkeypatch.setattr(indicateurs, "executer_sur_faits", espion)
    df = bilan_croise(con, 2025, 4, "reservataire", "bailleur")
    assert appels == [("mart_bilan", "reservataire", "bailleur", [])]
    assert list(df.columns) == list(COLONNES_CROISE)
    assert df[["cle_ligne", "cle_colonne"]].values.tolist() == [
        ["R1", "B1"], ["R2", "B1"], ["R2", "B2"], ["R3", "B2"], ["R9", "B2"]]
