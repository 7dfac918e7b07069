"""Sign-in and roles in the app (AppTest): local mode and its banner; with an [auth] section in
the secrets, the sign-in screen, a refusal, or a page that offers only what the user may do.

AppTest stands for the identity provider: ``at.secrets`` holds the [auth] section and
``at.user`` the signed-in user's claims (what ``st.user`` reads). The database is a real DuckDB
file; the roles file a real TOML file given by FLUX_ROLES.
Also here: the server settings that protect uploads (.streamlit/config.toml).
"""

from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from dashboard.initialisation import initialiser
from dashboard.store import connect
from dashboard.ui import etat
from dashboard.ui.authentification import TEXTE_MODE_LOCAL
from data_loaders.reading import TAILLE_MAX_OCTETS

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "secret-de-test-uniquement",
        "client_id": "gestion-en-flux", "client_secret": "secret-de-test-uniquement",
        "server_metadata_url": "https://identite.example/.well-known/openid-configuration"}
ROLES = """\
[adresses."admin@dreal.example"]
role = "admin"

[adresses."lecteur@dreal.example"]
role = "lecteur"

[domaines."habitat-sud.example"]
role = "bailleur"
bailleurs = ["OLS01"]
"""
ENTETE = "Code bailleur;N° de référence;Date MAD;Code INSEE;Catégorie;Contingent\n"
MELANGE = (ENTETE + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS\n"
           "OLS02;R2;16/03/2025;04070;Mutation interne;\n").encode("utf-8")


@pytest.fixture
def base(tmp_path, monkeypatch):
    fichier = tmp_path / "flux.duckdb"
    con, _ = initialiser(fichier)          # reference territories only: a fast start
    con.close()
    monkeypatch.setenv("FLUX_DB", str(fichier))
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("FLUX_ROLES", str(roles))
    return fichier


@pytest.fixture
def base_locale(base, monkeypatch):
    """The database, and neither secrets nor a roles file: local mode."""
    monkeypatch.delenv("FLUX_ROLES")
    return base


def _app(page: str | None = None, *, email: str | None = None, connecte: bool = True,
         auth: bool = True, secrets: dict | None = None, **revendications) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    if auth:
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": connecte, **({"email": email} if email else {}),
                   **revendications}
    for cle, valeur in (secrets or {}).items():
        at.secrets[cle] = valeur
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _bandeaux(at) -> list[str]:
    return [h.proto.body for h in at.get("html") if "bandeau-mode-local" in h.proto.body]


def _tableau(at, colonne: str):
    tables = [d.value for d in at.dataframe if colonne in d.value.columns]
    assert tables, f"aucun tableau avec la colonne {colonne}"
    return tables[-1]


# ------------------------------------------------------------------------------- local mode

@pytest.mark.parametrize("page", ["pages/accueil.py", "pages/controles.py",
                                  "pages/signatures.py", "pages/importer.py"])
def test_mode_local_bandeau_sur_chaque_page(base_locale, page):
    at = _app(page, auth=False)
    bandeaux = _bandeaux(at)
    assert len(bandeaux) == 1 and TEXTE_MODE_LOCAL in bandeaux[0]
    assert TEXTE_MODE_LOCAL.startswith("Mode local : ")


def test_mode_local_tous_les_droits_sur_la_page_d_import(base_locale):
    at = _app("pages/importer.py", auth=False)
    assert at.selectbox(key=etat.IMPORT_TYPE).options == [
        "Conventions de gestion en flux", "Parc et assiette", "Mises à disposition",
        "Communes et EPCI (fichier DGCL)", "Documents des EPCI"]
    assert at.button(key=etat.ANNULATION_BOUTON) is not None


# ----------------------------------------------------------------------------- with sign-in

def test_non_connecte_ecran_de_connexion_et_rien_d_autre(base):
    at = _app("pages/importer.py", connecte=False)
    assert [t.value for t in at.title] == ["Gestion en flux — bilans des réservations"]
    assert [b.label for b in at.button] == ["Se connecter"]
    assert not _bandeaux(at)
    assert not at.dataframe and not at.selectbox


def test_adresse_sans_role_refusee(base):
    at = _app("pages/importer.py", email="inconnu@ailleurs.example")
    assert [t.value for t in at.title] == ["Accès refusé"]
    # (the address escaped for Markdown: it comes from the identity provider)
    assert [e.value for e in at.error] == [
        "L'adresse inconnu\\@ailleurs.example n'a aucun rôle dans le fichier des rôles : demandez "
        "l'accès à l'administrateur de l'application."]
    assert [b.label for b in at.button] == ["Se déconnecter"]
    assert not at.dataframe and not at.selectbox


def test_sans_fichier_des_roles_personne_n_entre(base, monkeypatch):
    monkeypatch.delenv("FLUX_ROLES")
    at = _app("pages/accueil.py", email="admin@dreal.example")
    assert [t.value for t in at.title] == ["Accès refusé"]
    assert at.error[0].value.startswith("Configuration incomplète : aucun fichier des rôles")


@pytest.fixture
def fichiers_secrets():
    """Point Streamlit's ``secrets.files`` option at given files for one test (AppTest reads
    the real secrets through it when ``at.secrets`` is empty)."""
    from streamlit import config
    from streamlit.runtime import secrets as module_secrets

    avant = config.get_option("secrets.files")

    def pointer(*chemins):
        config.set_option("secrets.files", [str(c) for c in chemins])
        module_secrets.secrets_singleton._reset()

    yield pointer
    config.set_option("secrets.files", avant)
    module_secrets.secrets_singleton._reset()


def _refus(at) -> str:
    assert [t.value for t in at.title] == ["Accès refusé"]
    assert not _bandeaux(at), "jamais le mode local sur une configuration fautive"
    assert not at.dataframe and not at.selectbox and not at.get("file_uploader")
    assert len(at.error) == 1
    return at.error[0].value


def test_secrets_illisibles_personne_n_entre(base, monkeypatch, tmp_path, fichiers_secrets):
    # A secrets file with a TOML error: Streamlit cannot read it. Not local mode (where anybody
    # would have every right): nobody enters, with or without a roles file.
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nclient_id = "gestion-en-flux\n', encoding="utf-8")
    fichiers_secrets(tmp_path / "absent.toml", secrets)
    for avec_roles in (True, False):
        if not avec_roles:
            monkeypatch.delenv("FLUX_ROLES")
        at = _app("pages/importer.py", auth=False)
        assert _refus(at) == (
            "Configuration invalide : le fichier des secrets (.streamlit/secrets.toml) existe "
            "mais ne peut pas être lu. Personne ne peut entrer tant qu'il n'est pas corrigé : "
            "prévenez l'administrateur de l'application.")


def test_aucun_fichier_de_secrets_mode_local(base_locale, tmp_path, fichiers_secrets):
    # The same option pointed at files that do not exist: local mode, as without the fixture.
    fichiers_secrets(tmp_path / "absent.toml")
    at = _app("pages/accueil.py", auth=False)
    assert len(_bandeaux(at)) == 1 and not at.error


def test_fichier_des_roles_sans_section_auth_personne_n_entre(base):
    # FLUX_ROLES given (the fixture), no secrets at all: a sign-in half configured.
    at = _app("pages/importer.py", auth=False)
    assert _refus(at) == (
        "Configuration incomplète : un fichier des rôles est donné (variable FLUX\\_ROLES ou "
        "clé « fichier\\_roles » des secrets) mais la connexion n'est pas configurée (section "
        "\\[auth\\] absente de .streamlit/secrets.toml). Personne ne peut entrer tant qu'elle "
        "manque : prévenez l'administrateur de l'application.")


def test_section_auth_mal_nommee_personne_n_entre(base, monkeypatch):
    # [Auth] instead of [auth], the roles file given by the secrets' key: refused too.
    monkeypatch.delenv("FLUX_ROLES")
    chemin = str(base.parent / "roles.toml")
    at = _app("pages/accueil.py", auth=False,
              secrets={"Auth": AUTH, "fichier_roles": chemin})
    assert _refus(at).startswith("Configuration incomplète : un fichier des rôles est donné")
    # Secrets without [auth] and without a roles file: refused as well (not local mode).
    at = _app("pages/accueil.py", auth=False, secrets={"Auth": AUTH})
    assert _refus(at).startswith(
        "Configuration incomplète : le fichier des secrets (.streamlit/secrets.toml) existe "
        "mais la connexion n'est pas configurée")


def test_adresse_non_verifiee_par_le_fournisseur_refusee(base):
    at = _app("pages/accueil.py", email="admin@dreal.example", email_verified=False)
    assert _refus(at) == ("Votre fournisseur d'identité n'a pas vérifié votre adresse "
                          "électronique : accès refusé.")
    assert [b.label for b in at.button] == ["Se déconnecter"]
    # The same address, verified: the admin enters.
    at = _app("pages/accueil.py", email="admin@dreal.example", email_verified=True)
    assert not at.error and not _bandeaux(at)
    assert [c.value for c in at.sidebar.caption] == [
        "Connecté : admin\\@dreal.example — administrateur"]


def test_bailleur_importe_ses_lignes_seulement_et_le_journal_dit_qui(base):
    at = _app("pages/importer.py", email="Agent@Habitat-Sud.example")
    assert not _bandeaux(at)
    assert [c.value for c in at.sidebar.caption] == [
        "Connecté : agent\\@habitat-sud.example — bailleur (OLS01)"]
    # Only the kinds a bailleur may import; no rollback.
    assert at.selectbox(key=etat.IMPORT_TYPE).options == ["Parc et assiette",
                                                          "Mises à disposition"]
    assert not [b for b in at.button if b.key == etat.ANNULATION_BOUTON]
    at.selectbox(key=etat.IMPORT_TYPE).select("mises_a_disposition").run()
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value(
        ("export.csv", MELANGE, "text/csv")).run()
    assert not at.exception
    assert at.error[0].value == (
        "Fichier rejeté : 1 ligne(s) en erreur sur 2. Rien n'a été importé. Lignes hors de vos "
        "droits : bailleur(s) OLS02 (vous importez seulement pour le(s) bailleur(s) OLS01). "
        "Corrigez les erreurs, ou importez en mode partiel pour mettre ces lignes en "
        "quarantaine.")
    assert at.button(key=etat.IMPORT_BOUTON).disabled
    at.checkbox(key=etat.IMPORT_PARTIEL).check().run()
    at.button(key=etat.IMPORT_BOUTON).click().run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Import n° 1 : 1 ligne(s) importée(s), 1 ligne(s) mise(s) en quarantaine. Lignes hors "
        "de vos droits : bailleur(s) OLS02 (vous importez seulement pour le(s) bailleur(s) "
        "OLS01)."]
    journal = _tableau(at, "utilisateur")
    assert list(journal["utilisateur"]) == ["agent@habitat-sud.example"]
    con = connect(base)
    try:
        assert con.execute("SELECT bailleur_code, reference FROM mises_a_disposition"
                           ).fetchall() == [("OLS01", "R1")]
    finally:
        con.close()


def test_lecteur_lit_le_journal_sans_pouvoir_importer(base):
    at = _app("pages/importer.py", email="lecteur@dreal.example")
    assert [i.value for i in at.info] == [
        "Votre rôle (lecteur) ne permet pas d'importer de données : le journal des imports "
        "ci-dessous est consultable.",
        "Aucun import pour l'instant : déposez un premier fichier ci-dessus."]
    assert not at.selectbox and not at.get("file_uploader")
    assert not [b for b in at.button if b.key == etat.ANNULATION_BOUTON]


def test_admin_connecte_peut_annuler(base):
    at = _app("pages/importer.py", email="admin@dreal.example")
    assert len(at.selectbox(key=etat.IMPORT_TYPE).options) == 5
    at.number_input(key=etat.ANNULATION_ID).set_value(7).run()
    at.button(key=etat.ANNULATION_BOUTON).click().run()
    assert [e.value for e in at.error] == ["Aucun import n° 7 dans le journal."]


# ------------------------------------------- buttons act with the rights of now, not of the last run

VALIDE = (ENTETE + "OLS01;R1;15/03/2025;13055;Flux réservataire;ALS\n").encode("utf-8")


def _mad_en_base(fichier) -> list[tuple]:
    con = connect(fichier)
    try:
        return con.execute("SELECT bailleur_code, reference FROM mises_a_disposition").fetchall()
    finally:
        con.close()


def _pret_a_importer(email: str) -> AppTest:
    at = _app("pages/importer.py", email=email)
    at.selectbox(key=etat.IMPORT_TYPE).select("mises_a_disposition").run()
    at.file_uploader(key=etat.IMPORT_FICHIER).set_value(("export.csv", VALIDE, "text/csv")).run()
    assert not at.button(key=etat.IMPORT_BOUTON).disabled
    return at


def test_import_apres_deconnexion_refuse(base):
    at = _pret_a_importer("agent@habitat-sud.example")
    at.user = {"is_logged_in": False}            # signed out (another tab) before the click
    at.button(key=etat.IMPORT_BOUTON).click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Gestion en flux — bilans des réservations"]
    assert _mad_en_base(base) == []


def test_import_apres_changement_de_droits_refuse(base):
    at = _pret_a_importer("agent@habitat-sud.example")
    at.user = {"is_logged_in": True, "email": "lecteur@dreal.example"}
    at.button(key=etat.IMPORT_BOUTON).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "lecteur\\@dreal.example (lecteur) ne peut pas importer de « mises à disposition » : ce "
        "rôle ne permet pas d'importer des données."]
    assert _mad_en_base(base) == []
    # The same click with the bailleur still signed in imports (the check above is the rights').
    at = _pret_a_importer("agent@habitat-sud.example")
    at.button(key=etat.IMPORT_BOUTON).click().run()
    assert _mad_en_base(base) == [("OLS01", "R1")]


def test_annulation_avec_les_droits_du_moment(base):
    at = _app("pages/importer.py", email="admin@dreal.example")
    at.number_input(key=etat.ANNULATION_ID).set_value(1).run()
    at.user = {"is_logged_in": True, "email": "agent@habitat-sud.example"}
    at.button(key=etat.ANNULATION_BOUTON).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "agent\\@habitat-sud.example (bailleur (OLS01)) ne peut pas annuler un import : seul un "
        "administrateur le peut."]


def test_legende_de_la_page_d_import_adresse_echappee(base):
    at = _app("pages/importer.py", email="agent@habitat-sud.example")
    assert "Vous êtes connecté en tant que agent\\@habitat-sud.example : bailleur (OLS01)." in [
        c.value for c in at.caption]


# ---------------------------------------------------------------------------- server settings

def test_configuration_du_serveur():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    # The upload limit (MB) is the one the reader enforces on files given by path.
    assert config["server"]["maxUploadSize"] == 200
    assert TAILLE_MAX_OCTETS == 200 * 1024 * 1024


def test_une_exception_n_affiche_pas_ses_details_mais_les_tests_la_voient():
    # In the browser, a stray exception shows Streamlit's generic message, never English
    # internals (type, message, traceback stay in the server's log)…
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    # …and AppTest still sees it, so `assert not at.exception` keeps catching failures.
    at = AppTest.from_string('import streamlit as st\nst.write("avant")\n'
                             'raise ValueError("invalid literal for int()")\n').run()
    assert len(at.exception) == 1
    assert "invalid literal" not in at.exception[0].message
