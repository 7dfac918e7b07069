"""The 'Importer des données' page, driven by Streamlit's AppTest (uploads included)."""

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.initialisation import initialiser
from dashboard.ui import etat

ENTETE = ("Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent;Issue;"
          "Date du bail\n")
VALIDE = (ENTETE
          + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025\n"
          + "OLS01;R2;16/03/2025;04070;Mutation interne;;En cours;\n").encode("cp1252")
INVALIDE = (ENTETE
            + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS;Bail signé;01/04/2025\n"
            + "OLS01;R2;31/02/2025;04070;Mutation interne;;En cours;\n"
            + "OLS01;R3;16/03/2025;99999;Flux réservataire;ALS;En cours;\n").encode("cp1252")


@pytest.fixture
def page(tmp_path, monkeypatch):
    fichier = tmp_path / "flux.duckdb"
    con, _ = initialiser(fichier)          # reference territories, no sample: a fast start
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.switch_page("pages/importer.py").run()
    assert not at.exception
    return at


def _tableau(at, colonne: str):
    """The (last) table shown that has this column."""
    tables = [d.value for d in at.dataframe if colonne in d.value.columns]
    assert tables, f"aucun tableau avec la colonne {colonne}"
    return tables[-1]


def _deposer(at, contenu: bytes, nom="export.csv", type_donnees="mises_a_disposition"):
    at.selectbox(key=etat.IMPORT_TYPE).select(type_donnees).run()
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value((nom, contenu, "text/csv")).run()
    assert not at.exception


def test_page_vide(page):
    assert page.title[0].value == "Importer des données"
    assert [i.value for i in page.info] == [
        "Choisissez le type de données puis déposez un fichier pour le vérifier.",
        "Aucun import pour l'instant : déposez un premier fichier ci-dessus."]


def test_verification_puis_import_d_un_fichier_valide(page):
    _deposer(page, VALIDE)
    detection = page.markdown[0].value
    assert "Windows-1252" in detection and "point-virgule" in detection
    assert "**Lignes lues** : 2" in detection
    # the check's stages, as they ran (a status box: « Fichier vérifié : 2 lignes lues. »)
    assert [c.value for c in page.caption if c.value.endswith("…")] == [
        "Lecture du fichier…", "Vérification de 2 lignes…"]
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s)."]
    bouton = page.button(key=etat.IMPORT_BOUTON)
    assert not bouton.disabled
    bouton.click().run()
    assert not page.exception
    assert [s.value for s in page.success] == ["Import n° 1 : 2 ligne(s) importée(s)."]
    journal = _tableau(page, "statut")
    assert list(journal["import_id"]) == [1]
    assert list(journal["type_donnees"]) == ["Mises à disposition"]
    assert list(journal["statut"]) == ["En vigueur"]
    assert list(journal["lignes_importees"]) == [2]
    # The same file again: nothing to do, and the page says so.
    page.run()
    assert [i.value for i in page.info] == [
        "Ce fichier a déjà été importé (import n° 1) pour le même périmètre : rien n'a changé."]


def test_fichier_invalide_rapport_puis_import_partiel(page):
    _deposer(page, INVALIDE)
    assert page.error[0].value.startswith("Fichier rejeté : 2 ligne(s) en erreur sur 3.")
    erreurs = _tableau(page, "message")         # the validation report
    assert list(erreurs["ligne"]) == [3, 4]
    assert list(erreurs["colonne"]) == ["date_mise_a_disposition", "code_insee"]
    assert list(erreurs["en_tete"]) == ["Date MAD", "Code INSEE"]
    assert list(erreurs["valeur"]) == ["31/02/2025", "99999"]
    assert page.button(key=etat.IMPORT_BOUTON).disabled
    assert page.get("download_button")[0].proto.label == (
        "Télécharger le rapport de vérification (CSV)")

    page.checkbox(key=etat.IMPORT_PARTIEL).check().run()
    assert [w.value for w in page.warning] == [
        "Prêt à importer 1 ligne(s) ; 2 ligne(s) iront en quarantaine."]
    page.button(key=etat.IMPORT_BOUTON).click().run()
    assert not page.exception
    assert [w.value for w in page.warning] == [
        "Import n° 1 : 1 ligne(s) importée(s), 2 ligne(s) mise(s) en quarantaine."]


def test_mauvais_type_de_donnees_dit_les_colonnes_manquantes(page):
    _deposer(page, VALIDE, type_donnees="parc")
    assert page.error[0].value.startswith("Fichier rejeté : ")
    erreurs = _tableau(page, "message")
    assert list(erreurs["colonne"]) == ["annee", "parc_total"]
    assert all("« Code bailleur »" in m for m in erreurs["message"])   # headers found listed
    assert [i.value for i in page.info][0] == (
        "Ce fichier ressemble plutôt à des « mises à disposition » : choisissez ce type de "
        "données ci-dessus.")



def test_annulation_depuis_la_page(page):
    _deposer(page, VALIDE)
    page.button(key=etat.IMPORT_BOUTON).click().run()
    page.number_input(key=etat.ANNULATION_ID).set_value(1).run()
    page.button(key=etat.ANNULATION_BOUTON).click().run()
    assert not page.exception
    # The file is still there, so it can be imported again; the rollback is confirmed.
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s).", "Import n° 1 annulé."]
    assert list(_tableau(page, "statut")["statut"]) == ["Annulé"]


def test_annulation_refusee_est_expliquee(page):
    page.number_input(key=etat.ANNULATION_ID).set_value(42).run()
    page.button(key=etat.ANNULATION_BOUTON).click().run()
    assert [e.value for e in page.error] == ["Aucun import n° 42 dans le journal."]


# ----------------------------------------------------------- unresolved réservataires (issue 12)

from dashboard.store import connect  # noqa: E402
from dashboard.ui.imports import AUCUNE  # noqa: E402
from dashboard.ui.reservataires import CREER, cle_reservataire  # noqa: E402
from data_loaders import profils  # noqa: E402

ENTETE_RESA = "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent\n"
# Two values no correspondence, code or name of the referential identifies; « PREFECTURE ZZ »
# is the préfet of the line's département (Marseille: 13) by DOMAIN §3.6.
INCONNUS = (ENTETE_RESA
            + "OLS01;R1;15/03/2025;13055;Flux réservataire;PREFECTURE ZZ\n"
            + "OLS01;R2;16/03/2025;13055;Flux réservataire;Fondation Zéphyr\n"
            + "OLS01;R3;16/03/2025;04070;Flux réservataire;Bailleur social X contingent\n"
            + "OLS01;R4;17/03/2025;04070;Flux réservataire;Bailleur social X contingent\n"
            ).encode("utf-8")


def _en_base(at, sql: str) -> list[tuple]:
    import os

    con = connect(os.environ["FLUX_DB"])
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _boutons(at) -> dict[str, object]:
    return {b.key: b for b in at.button}


def test_reservataires_inconnus_listes_avec_leurs_lignes(page):
    _deposer(page, INCONNUS)
    assert page.error[0].value.startswith("Fichier rejeté : 3 ligne(s) en erreur sur 4.")
    assert "Réservataires à identifier" in [s.value for s in page.subheader]
    bsx = page.selectbox(key=cle_reservataire("Bailleur social X contingent"))
    zephyr = page.selectbox(key=cle_reservataire("Fondation Zéphyr"))
    # The value as plain text, its number of lines; nothing chosen in advance.
    assert bsx.label == "« Bailleur social X contingent » — 2 lignes"
    assert zephyr.label == "« Fondation Zéphyr » — 1 ligne"
    assert bsx.value is None and zephyr.value is None
    for select, creation in ((bsx, "AUT-BSXC — Bailleur social X contingent"),
                             (zephyr, "AUT-FZ — Fondation Zéphyr")):
        # The suggestions first, then « create », then every other identity of the referential.
        position = select.options.index(f"Créer un réservataire Autre : {creation}")
        assert all(o.endswith(" (suggestion)") for o in select.options[:position])
        assert not any(o.endswith(" (suggestion)") for o in select.options[position + 1:])
        assert "ETAT-13 — Préfet des Bouches-du-Rhône — contingent préfectoral" in select.options
        assert "ALS — Action Logement Services" in select.options
    # PREFECTURE ZZ was recognised: listed apart, with its identity and its line.
    reconnus = _tableau(page, "Valeur du fichier")
    assert reconnus.to_dict("list") == {
        "Valeur du fichier": ["PREFECTURE ZZ"],
        "Réservataire": ["ETAT-13 — Préfet des Bouches-du-Rhône — contingent préfectoral"],
        "Lignes": [1]}
    boutons = _boutons(page)
    assert boutons[etat.IMPORT_RESOLUTION_BOUTON].label == (
        "Enregistrer les correspondances et importer")
    assert boutons[etat.IMPORT_BOUTON].disabled


def test_reservataires_choisis_puis_import(page):
    _deposer(page, INCONNUS)
    page.selectbox(key=cle_reservataire("Bailleur social X contingent")).select(CREER)
    page.selectbox(key=cle_reservataire("Fondation Zéphyr")).select("ALS")
    page.button(key=etat.IMPORT_RESOLUTION_BOUTON).click().run()
    assert not page.exception
    assert [s.value for s in page.success] == [
        "Bailleur OLS01 : 2 correspondances enregistrées ; 0 ligne rattachée ; réservataire(s) "
        "créé(s) : AUT-BSXC.",
        "Import n° 1 : 4 ligne(s) importée(s)."]
    assert _en_base(page, "SELECT bailleur_code, valeur, reservataire_code, origine "
                          "FROM correspondances ORDER BY valeur") == [
        ("OLS01", "Bailleur social X contingent", "AUT-BSXC", "manuelle"),
        ("OLS01", "Fondation Zéphyr", "ALS", "manuelle")]
    assert _en_base(page, "SELECT reservataire_code, nom, type_reservataire FROM reservataires "
                          "WHERE reservataire_code = 'AUT-BSXC'") == [
        ("AUT-BSXC", "Bailleur social X contingent", "AUTRE")]
    assert _en_base(page, "SELECT reference, reservataire_code, reservataire_valeur "
                          "FROM mises_a_disposition ORDER BY reference") == [
        ("R1", "ETAT-13", "PREFECTURE ZZ"), ("R2", "ALS", "Fondation Zéphyr"),
        ("R3", "AUT-BSXC", "Bailleur social X contingent"),
        ("R4", "AUT-BSXC", "Bailleur social X contingent")]


def test_reservataire_non_choisi_rien_n_est_fait(page):
    _deposer(page, INCONNUS)
    page.button(key=etat.IMPORT_RESOLUTION_BOUTON).click().run()
    assert not page.exception
    assert [e.value for e in page.error][0] == (
        "Choisissez un réservataire pour au moins une valeur.")
    assert _en_base(page, "SELECT count(*) FROM correspondances") == [(0,)]
    assert _en_base(page, "SELECT count(*) FROM journal_imports") == [(0,)]


def test_autres_erreurs_correspondances_enregistrees_sans_importer(page):
    fichier = INCONNUS + "OLS01;R5;31/02/2025;13055;Mutation interne;\n".encode("utf-8")
    _deposer(page, fichier)
    bouton = page.button(key=etat.IMPORT_RESOLUTION_BOUTON)
    assert bouton.label == "Enregistrer les correspondances"
    page.selectbox(key=cle_reservataire("Bailleur social X contingent")).select("ETAT-04")
    page.selectbox(key=cle_reservataire("Fondation Zéphyr")).select("ALS")
    bouton.click().run()
    assert not page.exception
    assert [s.value for s in page.success] == [
        "Bailleur OLS01 : 2 correspondances enregistrées ; 0 ligne rattachée."]
    # Checked again: only the impossible date is left, nothing imported yet.
    assert page.error[0].value.startswith("Fichier rejeté : 1 ligne(s) en erreur sur 5.")
    assert list(_tableau(page, "message")["colonne"]) == ["date_mise_a_disposition"]
    assert not [s for s in page.subheader if s.value == "Réservataires à identifier"]
    assert _en_base(page, "SELECT count(*) FROM journal_imports") == [(0,)]


# ----------------------------------------------------------------- columns matched by hand

ENTETE_JOUR = "Code bailleur;N° de référence;Jour d'orientation;Code INSEE;Catégorie;Contingent\n"
JOUR_1 = (ENTETE_JOUR + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS\n"
          + "OLS01;R2;16/03/2025;04070;Mutation interne;\n").encode("utf-8")
JOUR_2 = (ENTETE_JOUR + "OLS01;R3;15/04/2025;13055;Flux réservataire;ALS\n").encode("utf-8")


def _colonne(at, nom: str):
    return at.selectbox(key=etat.PREFIXE_IMPORT_COLONNE + nom)


def test_colonnes_associees_a_la_main_puis_profil_enregistre(page):
    _deposer(page, JOUR_1)
    assert page.error[0].value.startswith(
        "Fichier rejeté : Colonne obligatoire « date\\_mise\\_a\\_disposition » (date de mise à "
        "disposition) introuvable.")
    assert page.button(key=etat.IMPORT_BOUTON).disabled
    date = _colonne(page, "date_mise_a_disposition")
    assert date.label == "Date de mise à disposition (obligatoire)"
    assert _colonne(page, "rpls").label == "Numéro RPLS"
    # The file's headers, each with a few of its values.
    assert date.options == [
        "— aucune —", "Code bailleur (ex. : OLS01)", "N° de référence (ex. : R1, R2)",
        "Jour d'orientation (ex. : 15/03/2025, 16/03/2025)",
        "Code INSEE (ex. : 13055, 04070)",
        "Catégorie (ex. : Flux réservataire, Mutation interne)", "Contingent (ex. : ALS)"]
    assert date.value == AUCUNE

    date.select("Jour d'orientation")
    page.button(key=etat.IMPORT_COLONNES_BOUTON).click().run()
    assert not page.exception
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s)."]
    # The selects now show the matching in use (the rest found by name).
    assert {nom: _colonne(page, nom).value for nom in (
        "bailleur_code", "reference", "date_mise_a_disposition", "code_insee", "categorie",
        "reservataire_code", "rpls")} == {
        "bailleur_code": "Code bailleur", "reference": "N° de référence",
        "date_mise_a_disposition": "Jour d'orientation", "code_insee": "Code INSEE",
        "categorie": "Catégorie", "reservataire_code": "Contingent", "rpls": AUCUNE}

    page.button(key=etat.IMPORT_BOUTON).click().run()
    assert not page.exception
    assert [s.value for s in page.success] == ["Import n° 1 : 2 ligne(s) importée(s)."]
    assert ("Correspondance des colonnes enregistrée : les prochains fichiers avec les mêmes "
            "en-têtes seront lus de la même façon.") in [i.value for i in page.info]
    import os

    con = connect(os.environ["FLUX_DB"])
    try:
        enregistres = profils.lister(con)
    finally:
        con.close()
    assert list(enregistres["type_donnees"]) == ["mises_a_disposition"]
    assert list(enregistres["bailleur_code"]) == ["OLS01"]

    # The next file with the same headers: matched by the profile, without asking.
    page.file_uploader(key=etat.IMPORT_FICHIER).set_value(
        ("export_avril.csv", JOUR_2, "text/csv")).run()
    assert not page.exception
    assert ("Correspondance des colonnes reprise du profil enregistré (les mêmes en-têtes ont "
            "déjà été associés à la main).") in [i.value for i in page.info]
    assert [s.value for s in page.success] == ["Prêt à importer 1 ligne(s)."]
    assert _colonne(page, "date_mise_a_disposition").value == "Jour d'orientation"
    page.button(key=etat.IMPORT_BOUTON).click().run()
    assert [s.value for s in page.success] == [
        "Import n° 2 : 1 ligne(s) importée(s) ; remplace l'import n° 1 pour le même périmètre."]


def test_un_en_tete_pour_deux_colonnes_refuse(page):
    _deposer(page, JOUR_1)
    _colonne(page, "date_mise_a_disposition").select("Code INSEE")
    _colonne(page, "code_insee").select("Code INSEE")
    page.button(key=etat.IMPORT_COLONNES_BOUTON).click().run()
    assert not page.exception
    assert ("L'en-tête « Code INSEE » est choisi pour plusieurs colonnes (« date de mise à "
            "disposition », « code INSEE ») : une colonne du fichier n'en alimente qu'une."
            ) in [e.value for e in page.error]
    assert page.button(key=etat.IMPORT_BOUTON).disabled


def test_colonnes_ressemblantes_signalees(page):
    fichier = ("Code bailleur;N° de référence;Date MAD;Date d orientation;Code INSEE;Catégorie\n"
               "OLS01;R1;15/03/2025;14/03/2025;04070;Mutation interne\n").encode("utf-8")
    _deposer(page, fichier)
    assert [w.value for w in page.warning] == [
        "La colonne « Date d orientation » ressemble à « date de mise à disposition » mais n'a "
        "pas été utilisée (la colonne « Date MAD » a été retenue)."]


def test_titre_et_total_du_fichier_dits(page):
    fichier = ("Export des mises à disposition — mars 2025\n"
               + ENTETE_RESA
               + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS\n"
               + "OLS01;R2;16/03/2025;04070;Mutation interne;\n"
               + "Total;2;;;;\n").encode("utf-8")
    _deposer(page, fichier)
    detection = page.markdown[0].value
    assert "**Ligne des en-têtes** : ligne 2" in detection
    assert "**Lignes de titre ignorées** : 1" in detection
    assert "**Lignes lues** : 2" in detection
    assert "**Lignes de total ignorées** : 1 (ligne 5)" in detection
    assert [s.value for s in page.success] == ["Prêt à importer 2 ligne(s)."]
