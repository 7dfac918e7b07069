"""Sign-in and the rights of the session's user.

- With an ``[auth]`` section in ``.streamlit/secrets.toml``, users sign in with ``st.login``
  (OpenID Connect: ProConnect or any OIDC provider); their rights come from the roles file
  (``$FLUX_ROLES``, else the ``fichier_roles`` key of the secrets; see dashboard.habilitations).
- Without secrets and without a roles file, the app runs in local mode: every right, and a
  "Mode local" banner on every page. Anything in between (secrets that cannot be read, a roles
  file or secrets without [auth]) refuses everybody: a configuration error never opens the app.
- An address the identity provider says it has not verified (``email_verified`` false) is
  refused.

``authentifier()`` is called by app.py before any page is drawn: it stops the run with the
sign-in screen, or with a French refusal, when the user may not read. Pages ask
``habilitation()`` for what the user may do; the core (data_loaders) checks again.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from dashboard.habilitations import (
    DroitsInsuffisants,
    FichierRolesInvalide,
    Habilitation,
    chemin_roles,
    lire_roles,
)
from dashboard.ui.texte import texte_brut

CLE_SECRETS_ROLES = "fichier_roles"
BOUTON_CONNEXION = "connexion_bouton"
BOUTON_DECONNEXION = "deconnexion_bouton"
TEXTE_MODE_LOCAL = (
    "Mode local : pas de connexion, toute personne qui ouvre l'application a tous les droits "
    "(import, annulation). Pour un usage partagé, configurez la connexion (section [auth] de "
    ".streamlit/secrets.toml, voir « Déploiement » dans le README).")


class _AccesRefuse(Exception):
    """No access: the French message says why (refused user, or a configuration that cannot be
    trusted)."""


def _fichiers_secrets() -> list[Path]:
    """Where Streamlit looks for secrets (option ``secrets.files``)."""
    from streamlit import config

    return [Path(p) for p in config.get_option("secrets.files") or []]


def _secrets() -> Mapping:
    """The secrets; {} when there is no secrets file at all. A secrets file that exists but
    cannot be read (TOML error, bad directory) refuses access: falling back to local mode would
    give every right to everybody."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:     # StreamlitSecretNotFoundError: missing, or unreadable
        if any(chemin.exists() for chemin in _fichiers_secrets()):
            raise _AccesRefuse(
                "Configuration invalide : le fichier des secrets (.streamlit/secrets.toml) "
                "existe mais ne peut pas être lu. Personne ne peut entrer tant qu'il n'est pas "
                "corrigé : prévenez l'administrateur de l'application.") from None
        return {}


def connexion_configuree() -> bool:
    """True when the secrets hold an [auth] section: users must sign in."""
    try:
        return bool(_secrets().get("auth"))
    except _AccesRefuse:
        return True               # an unreadable configuration is not local mode


def _fichier_roles(secrets: Mapping) -> Path | None:
    return chemin_roles() or (Path(p) if (p := secrets.get(CLE_SECRETS_ROLES)) else None)


def _adresse_verifiee(valeur: object) -> bool:
    """False only when the provider says the address is not verified (absent: trusted)."""
    if isinstance(valeur, str):
        return valeur.strip().lower() not in ("false", "0", "non", "no")
    return valeur is None or bool(valeur)


def _resoudre() -> Habilitation | None:
    """The session user's rights; None when not signed in; _AccesRefuse when refused.

    Local mode only without any secrets and without any roles file: a roles file, or secrets,
    without an [auth] section is a sign-in configured wrongly, and nobody enters."""
    secrets = _secrets()
    chemin = _fichier_roles(secrets)
    if not secrets.get("auth"):
        if chemin is None and not secrets:
            return Habilitation.mode_local()
        origine = ("un fichier des rôles est donné (variable FLUX_ROLES ou clé "
                   f"« {CLE_SECRETS_ROLES} » des secrets)" if chemin is not None
                   else "le fichier des secrets (.streamlit/secrets.toml) existe")
        raise _AccesRefuse(
            f"Configuration incomplète : {origine} mais la connexion n'est pas configurée "
            "(section [auth] absente de .streamlit/secrets.toml). Personne ne peut entrer tant "
            "qu'elle manque : prévenez l'administrateur de l'application.")
    if not st.user.get("is_logged_in"):
        return None
    if chemin is None:
        raise _AccesRefuse(
            "Configuration incomplète : aucun fichier des rôles (variable FLUX_ROLES ou clé "
            f"« {CLE_SECRETS_ROLES} » des secrets). Personne ne peut entrer tant qu'il manque : "
            "prévenez l'administrateur de l'application.")
    if not _adresse_verifiee(st.user.get("email_verified")):
        raise _AccesRefuse("Votre fournisseur d'identité n'a pas vérifié votre adresse "
                           "électronique : accès refusé.")
    try:
        roles = lire_roles(chemin)
    except FichierRolesInvalide as exc:
        raise _AccesRefuse("Configuration invalide : le fichier des rôles ne peut pas être lu. "
                           f"Prévenez l'administrateur de l'application.\n\n{exc}") from None
    try:
        return roles.habilitation(str(st.user.get("email") or ""))
    except DroitsInsuffisants as exc:
        raise _AccesRefuse(str(exc)) from None


def habilitation_actuelle() -> Habilitation | None:
    """What the session's user may do now, resolved again from the sign-in and the roles file;
    None when nobody may act (signed out, refused). For button callbacks, which must not use
    the rights of the previous run."""
    try:
        return _resoudre()
    except _AccesRefuse:
        return None


def habilitation() -> Habilitation:
    """What the session's user may do (app.py has already stopped anyone who may not read)."""
    hab = habilitation_actuelle()
    if hab is None:
        st.stop()
    return hab


def _fournisseurs() -> list[str | None]:
    """The OIDC providers of [auth]: None for the single unnamed one, else their names."""
    auth = _secrets().get("auth") or {}
    nommes = [nom for nom, valeur in auth.items() if isinstance(valeur, Mapping)]
    return [None] if "client_id" in auth or not nommes else nommes


def _ecran_connexion() -> None:
    st.title("Gestion en flux — bilans des réservations")
    st.write("Connectez-vous pour consulter les bilans et, selon votre rôle, importer les "
             "données de votre organisme.")
    for fournisseur in _fournisseurs():
        libelle = "Se connecter" + (f" avec {fournisseur}" if fournisseur else "")
        if st.button(libelle, type="primary", key=f"{BOUTON_CONNEXION}_{fournisseur or ''}"):
            st.login(fournisseur) if fournisseur else st.login()


def _bouton_deconnexion(conteneur) -> None:
    if conteneur.button("Se déconnecter", key=BOUTON_DECONNEXION):
        st.logout()


# In presentation mode, a discreet badge in a corner instead of the banner (out of the page's
# flow: the slide keeps the whole screen); its full text is its tooltip.
STYLE_BADGE = """
<style>
[data-testid="stElementContainer"]:has(.bandeau-mode-local.badge) {
  position: fixed; right: .75rem; bottom: .6rem; width: auto !important; z-index: 100; }
.bandeau-mode-local.badge { background: #FEECC2; color: #716043; border: 1px solid #B34000;
  border-radius: 1rem; padding: .1rem .7rem; font-size: .8rem; cursor: help; }
</style>
"""


def bandeau_mode_local() -> None:
    """« Mode local » on every page: a banner, or a badge in a corner in presentation mode."""
    from dashboard.ui import presentation

    if presentation.actif():
        st.html(STYLE_BADGE)
        st.html(f'<div role="status" class="bandeau-mode-local badge" '
                f'title="{html.escape(TEXTE_MODE_LOCAL)}">Mode local</div>')
        return
    st.html(f'<div role="status" class="bandeau-mode-local" style="background:#FEECC2;'
            f'color:#716043;border-left:4px solid #B34000;padding:.5rem .9rem;'
            f'margin-bottom:.4rem;font-size:.9rem">{TEXTE_MODE_LOCAL}</div>')


def authentifier() -> Habilitation:
    """app.py: the sign-in screen, a refusal, or the user's rights (and the local banner)."""
    try:
        hab = _resoudre()
    except _AccesRefuse as exc:
        st.title("Accès refusé")
        # The message may quote the address the provider sent: no Markdown from it.
        st.error("\n\n".join(texte_brut(partie) for partie in str(exc).split("\n\n")))
        _bouton_deconnexion(st)
        st.stop()
    if hab is None:
        _ecran_connexion()
        st.stop()
    if hab.locale:
        bandeau_mode_local()
    else:
        st.sidebar.caption(f"Connecté : {texte_brut(hab.utilisateur)} — {hab.description()}")
        _bouton_deconnexion(st.sidebar)
    return hab
