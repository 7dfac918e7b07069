"""The page « Réservataires et correspondances » (issue 12), driven by Streamlit's AppTest: the
referential (type, search), each bailleur's correspondences, editing one (rows re-attached),
the CSV export and import, and the rights (a reader only reads, a bailleur sees its own).

The database is a real DuckDB file: the reference territories (6 départements, 946 communes,
52 EPCI: 946 + 52 + 6 × 3 + Action Logement Services = 1 017 identities), then one file of
mises à disposition imported through the core, whose values « Action Logement » (OLS01, two
lines) and « Ville de Nice » (OLS02, one line) resolve by name and are kept as automatic
correspondences. The rights come from a real roles file; AppTest stands for the identity
provider (see test_authentification.py).
"""

from __future__ import annotations

import pytest
from conftest import importer
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.initialisation import initialiser
from dashboard.store import connect
from dashboard.ui import etat
from dashboard.ui.reservataires import cle_reservataire, codes_autres

ENTETE = "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent\n"
EXPORT = (ENTETE
          + "OLS01;R1;15/03/2025;13055;Flux réservataire;Action Logement\n"
          + "OLS01;R2;16/03/2025;04070;Flux réservataire;Action Logement\n"
          + "OLS02;R3;16/03/2025;06088;Flux réservataire;Ville de Nice\n").encode("utf-8")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "secret-de-test-uniquement",
        "client_id": "gestion-en-flux", "client_secret": "secret-de-test-uniquement",
        "server_metadata_url": "https://identite.example/.well-known/openid-configuration"}
ROLES = """\
[adresses."lecteur@dreal.example"]
role = "lecteur"

[domaines."habitat-sud.example"]
role = "bailleur"
bailleurs = ["OLS01"]
"""


@pytest.fixture
def base(tmp_path, monkeypatch):
    fichier = tmp_path / "flux.duckdb"
    con, _ = initialiser(fichier)          # reference territories only: a fast start
    try:
        assert importer(con, "mises_a_disposition", EXPORT, nom_fichier="export.csv"
                        ).message == "Import n° 1 : 3 ligne(s) importée(s)."
    finally:
        con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    return fichier


@pytest.fixture
def roles(base, tmp_path, monkeypatch):
    chemin = tmp_path / "roles.toml"
    chemin.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("FLUX_ROLES", str(chemin))
    return chemin


def _page(email: str | None = None, page: str = "pages/reservataires.py") -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    if email:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": True, "email": email}
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _tableau(at, colonne: str):
    tables = [d.value for d in at.dataframe if colonne in d.value.columns]
    assert tables, f"aucun tableau avec la colonne {colonne}"
    return tables[-1]


def _lignes(tableau, *colonnes) -> list[tuple]:
    return [tuple(r) for r in tableau[list(colonnes)].itertuples(index=False)]


def _en_base(fichier, sql: str) -> list[tuple]:
    con = connect(fichier)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def telechargements(monkeypatch) -> list[tuple[str | None, bytes]]:
    """(file name, content) of every download button drawn: Streamlit's media storage is
    watched (AppTest drops it after each run), the page and the core run as they are."""
    vus: list[tuple[str | None, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def enregistrer(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            vus.append((filename, path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", enregistrer)
    return vus


# ------------------------------------------------------------------------ the referential

def test_referentiel_par_type_et_recherche(base):
    at = _page()
    assert [t.value for t in at.title] == ["Réservataires et correspondances"]
    assert "1\u202f017 identités sur 1\u202f017." in [c.value for c in at.caption]
    at.multiselect(key=etat.REFERENTIEL_TYPES).select("ETAT").run()
    vue = _tableau(at, "type_reservataire")
    assert list(vue["reservataire_code"]) == ["ETAT-04", "ETAT-05", "ETAT-06", "ETAT-13",
                                              "ETAT-83", "ETAT-84"]
    assert set(vue["type_reservataire"]) == {"État — contingent préfectoral"}
    at.text_input(key=etat.REFERENTIEL_RECHERCHE).input("bouches").run()
    assert _lignes(_tableau(at, "type_reservataire"), "reservataire_code", "nom") == [
        ("ETAT-13", "Préfet des Bouches-du-Rhône — contingent préfectoral")]
    assert "1 identité sur 1\u202f017." in [c.value for c in at.caption]
    # Any type; the search ignores case, accents and punctuation.
    at.multiselect(key=etat.REFERENTIEL_TYPES).unselect("ETAT").run()
    at.text_input(key=etat.REFERENTIEL_RECHERCHE).input("COTE D AZUR").run()
    assert _lignes(_tableau(at, "type_reservataire"), "reservataire_code", "nom") == [
        ("EPCI-200030195", "Métropole Nice Côte d'Azur"),
        ("EPCI-200035319", "CA Estérel Côte d'Azur Agglomération")]
    at.text_input(key=etat.REFERENTIEL_RECHERCHE).input("nice").run()
    assert list(_tableau(at, "type_reservataire")["reservataire_code"]) == [
        "EPCI-200030195", "COM-06088"]


# ---------------------------------------------------------------------- correspondences

def test_correspondances_par_bailleur(base):
    at = _page()
    assert _lignes(_tableau(at, "origine"), "bailleur_code", "valeur", "reservataire_code",
                   "nom", "origine") == [
        ("OLS01", "Action Logement", "ALS", "Action Logement Services", "Automatique"),
        ("OLS02", "Ville de Nice", "COM-06088", "Ville de Nice", "Automatique")]
    assert at.selectbox(key=etat.CORRESPONDANCES_BAILLEUR).options == [
        "Tous les bailleurs", "OLS01", "OLS02"]
    at.selectbox(key=etat.CORRESPONDANCES_BAILLEUR).select("OLS02").run()
    assert _lignes(_tableau(at, "origine"), "bailleur_code", "valeur") == [
        ("OLS02", "Ville de Nice")]


def test_modifier_une_correspondance_rattache_les_lignes(base):
    at = _page()
    assert at.selectbox(key=etat.CORRESPONDANCE_MODIF_BAILLEUR).value == "OLS01"
    assert at.selectbox(key=etat.CORRESPONDANCE_MODIF_VALEUR).value == "Action Logement"
    assert at.selectbox(key=etat.CORRESPONDANCE_MODIF_RESERVATAIRE).value == "ALS"
    assert at.button(key=etat.CORRESPONDANCE_MODIF_BOUTON).disabled      # nothing changed yet
    at.selectbox(key=etat.CORRESPONDANCE_MODIF_RESERVATAIRE).select("ETAT-13").run()
    at.button(key=etat.CORRESPONDANCE_MODIF_BOUTON).click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "« Action Logement » (OLS01) → ETAT-13 : 1 correspondance enregistrée ; 2 lignes "
        "rattachées."]
    assert _lignes(_tableau(at, "origine"), "valeur", "reservataire_code", "origine") == [
        ("Action Logement", "ETAT-13", "Manuelle"), ("Ville de Nice", "COM-06088", "Automatique")]
    assert _en_base(base, "SELECT reference, reservataire_code FROM mises_a_disposition "
                          "ORDER BY reference") == [
        ("R1", "ETAT-13"), ("R2", "ETAT-13"), ("R3", "COM-06088")]
    # Another value: the identity select starts on that value's own identity.
    at.selectbox(key=etat.CORRESPONDANCE_MODIF_BAILLEUR).select("OLS02").run()
    assert at.selectbox(key=etat.CORRESPONDANCE_MODIF_RESERVATAIRE).value == "COM-06088"


def test_export_csv(base, telechargements):
    at = _page()
    assert [b.proto.label for b in at.get("download_button")] == [
        "Télécharger les correspondances (CSV)"]
    assert telechargements[-1] == ("correspondances.csv", (
        "\ufeffbailleur_code;valeur;reservataire_code;origine;nom;type_reservataire\r\n"
        "OLS01;Action Logement;ALS;automatique;Action Logement Services;ACTION_LOGEMENT\r\n"
        "OLS02;Ville de Nice;COM-06088;automatique;Ville de Nice;COMMUNE\r\n").encode("utf-8"))
    at.selectbox(key=etat.CORRESPONDANCES_BAILLEUR).select("OLS02").run()
    assert telechargements[-1] == ("correspondances_OLS02.csv", (
        "\ufeffbailleur_code;valeur;reservataire_code;origine;nom;type_reservataire\r\n"
        "OLS02;Ville de Nice;COM-06088;automatique;Ville de Nice;COMMUNE\r\n").encode("utf-8"))


def _importer_fichier(at, contenu: str, nom: str = "correspondances.csv") -> None:
    at.file_uploader(key=etat.CORRESPONDANCES_FICHIER).set_value(
        (nom, contenu.encode("utf-8"), "text/csv")).run()
    at.button(key=etat.CORRESPONDANCES_IMPORT_BOUTON).click().run()
    assert not at.exception


def test_import_csv_erreurs_listees_puis_import(base):
    at = _page()
    _importer_fichier(at, "bailleur_code;valeur;reservataire_code\n"
                          "OLS01;Contingent CAF;ALS\n"
                          "OLS01;;ALS\n")
    assert [e.value for e in at.error] == ["Fichier rejeté : rien n'a été enregistré. 1 erreur :"]
    assert _lignes(_tableau(at, "message"), "ligne", "colonne", "valeur", "message") == [
        (3, "valeur", "", "valeur obligatoire manquante (valeur)")]

    _importer_fichier(at, "bailleur_code;valeur;reservataire_code\n"
                          "OLS01;Contingent CAF;CAF-99\n"
                          "OLS02;Ville de Nice;COM-06088\n")
    assert [e.value for e in at.error] == ["Fichier rejeté : rien n'a été enregistré. 1 erreur :"]
    erreurs = _tableau(at, "message")
    assert _lignes(erreurs, "ligne", "colonne", "valeur") == [
        (2, "reservataire_code", "CAF-99")]
    assert erreurs["message"].iloc[0].startswith("réservataire « CAF-99 » inconnu du référentiel")
    assert _en_base(base, "SELECT count(*) FROM correspondances") == [(2,)]

    _importer_fichier(at, "bailleur_code;valeur;reservataire_code;nom;type_reservataire\n"
                          "OLS01;Contingent CAF;AUT-CAF;Caisse d'allocations familiales;Autre\n")
    assert [s.value for s in at.success] == [
        "Fichier « correspondances.csv » importé : 1 correspondance enregistrée ; 0 ligne "
        "rattachée ; réservataire(s) créé(s) : AUT-CAF."]
    assert _en_base(base, "SELECT bailleur_code, valeur, reservataire_code, origine "
                          "FROM correspondances WHERE valeur = 'Contingent CAF'") == [
        ("OLS01", "Contingent CAF", "AUT-CAF", "manuelle")]


# ---------------------------------------------------------------------------------- rights

def test_lecteur_consulte_sans_modifier(roles, telechargements):
    at = _page("lecteur@dreal.example")
    assert len(_tableau(at, "origine")) == 2
    assert ("Votre rôle (lecteur) permet de consulter les correspondances, pas de les "
            "modifier.") in [i.value for i in at.info]
    cles = {b.key for b in at.button}
    assert etat.CORRESPONDANCE_MODIF_BOUTON not in cles
    assert etat.CORRESPONDANCES_IMPORT_BOUTON not in cles
    assert not at.get("file_uploader")
    assert telechargements[-1][0] == "correspondances.csv"


def test_bailleur_voit_et_modifie_les_siennes(roles, telechargements):
    at = _page("agent@habitat-sud.example")
    assert at.selectbox(key=etat.CORRESPONDANCES_BAILLEUR).options == [
        "Tous les bailleurs", "OLS01"]
    assert _lignes(_tableau(at, "origine"), "bailleur_code", "valeur") == [
        ("OLS01", "Action Logement")]
    assert at.selectbox(key=etat.CORRESPONDANCE_MODIF_BAILLEUR).options == ["OLS01"]
    assert telechargements[-1] == ("correspondances.csv", (
        "\ufeffbailleur_code;valeur;reservataire_code;origine;nom;type_reservataire\r\n"
        "OLS01;Action Logement;ALS;automatique;Action Logement Services;ACTION_LOGEMENT\r\n"
        ).encode("utf-8"))
    # Another bailleur's correspondence, from a file: refused, nothing written.
    _importer_fichier(at, "bailleur_code;valeur;reservataire_code\n"
                          "OLS02;Ville de Nice;ETAT-06\n")
    assert [e.value for e in at.error] == [
        "agent\\@habitat-sud.example (bailleur (OLS01)) ne peut pas définir les correspondances "
        "du (des) bailleur(s) OLS02 : seulement celles de OLS01."]
    assert _en_base(roles.parent / "flux.duckdb",
                    "SELECT reservataire_code FROM correspondances WHERE bailleur_code = 'OLS02'"
                    ) == [("COM-06088",)]


def test_bailleur_identifie_les_reservataires_de_son_fichier(roles):
    """On the import page, a bailleur's file with another bailleur's line (partial import): the
    correspondences are set for the bailleur's own code only."""
    at = _page("agent@habitat-sud.example", page="pages/importer.py")
    at.selectbox(key=etat.IMPORT_TYPE).select("mises_a_disposition").run()
    at.checkbox(key=etat.IMPORT_PARTIEL).check().run()
    fichier = (ENTETE + "OLS01;R4;18/03/2025;13055;Flux réservataire;Contingent mairie annexe\n"
               + "OLS02;R5;18/03/2025;13055;Flux réservataire;Contingent mairie annexe\n")
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value(
        ("export.csv", fichier.encode("utf-8"), "text/csv")).run()
    assert not at.exception
    assert at.selectbox(key=cle_reservataire("Contingent mairie annexe")).label == (
        "« Contingent mairie annexe » — 2 lignes")
    at.selectbox(key=cle_reservataire("Contingent mairie annexe")).select("COM-13055")
    at.button(key=etat.IMPORT_RESOLUTION_BOUTON).click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Bailleur OLS01 : 1 correspondance enregistrée ; 0 ligne rattachée."]
    # OLS02's line stays unresolved (no correspondence of OLS02, not this user's to set): the
    # core's sentence names it (its suggestions are the core's business, not checked here).
    [avertissement] = [w.value for w in at.warning]
    assert avertissement.startswith(
        "Import n° 2 : 1 ligne(s) importée(s), 1 ligne(s) mise(s) en quarantaine ; remplace "
        "l'import n° 1 pour le même périmètre. Lignes hors de vos droits : bailleur(s) OLS02 "
        "(vous importez seulement pour le(s) bailleur(s) OLS01). 1 réservataire non reconnu : "
        "« Contingent mairie annexe » (1 ligne, peut-être ")
    assert _en_base(roles.parent / "flux.duckdb",
                    "SELECT bailleur_code, valeur, reservataire_code FROM correspondances "
                    "WHERE origine = 'manuelle'") == [
        ("OLS01", "Contingent mairie annexe", "COM-13055")]


# ------------------------------------------------------------------------ created codes

def test_codes_des_reservataires_autres_crees():
    pris = {"ETAT-13", "AUT-CAF", "ALS"}
    assert codes_autres(["Bailleur social X contingent", "Caisse d'allocations familiales",
                         "CAF", "Préfecture 13 – réservé", "«  »"], pris) == {
        "Bailleur social X contingent": "AUT-BSXC",
        "Caisse d'allocations familiales": "AUT-CAF-2",     # AUT-CAF is taken
        "CAF": "CAF",                          # a value that reads as a code keeps it
        "Préfecture 13 – réservé": "AUT-PR",   # initials of its words, numbers aside
        "«  »": "AUT-X"}
    # Two values with the same initials get two codes.
    assert codes_autres(["Foyer Zen", "Fondation Zéphyr"], set()) == {
        "Foyer Zen": "AUT-FZ", "Fondation Zéphyr": "AUT-FZ-2"}
