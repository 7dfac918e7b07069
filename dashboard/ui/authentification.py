"""Sign-in and the rights of the session's user.

- With an ``[auth]`` section in ``.streamlit/secrets.toml``, users sign in with ``st.login``
  (OpenID Connect: ProConnect or any OIDC provider); their rights come from the roles file
  (``$FLUX_ROLES``, else the ``fichier_roles`` key of the secrets; see dashboard.habilitations).
- Without it, the app runs in local mode: every right, and a "Mode local" banner on every page.

``authentifier()`` is called by app.py before any page is drawn: it stops the run with the
sign-in screen, or with a French refusal, when the user may not read. Pages ask
``habilitation()`` for what the user may do; the core (data_loaders) checks again.
"""

from __future__ import annotations

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

CLE_SECRETS_ROLES = "fichier_roles"
BOUTON_CONNEXION = "connexion_bouton"
BOUTON_DECONNEXION = "deconnexion_bouton"
TEXTE_MODE_LOCAL = (
    "Mode local : pas de connexion, toute personne qui ouvre l'application a tous les droits "
    "(import, annulation). Pour un usage partagé, configurez la connexion (section [auth] de "
    ".streamlit/secrets.toml, voir « Déploiement » dans le README).")


class _AccesRefuse(Exception):
    """Signed in, but no right to read: the French message says why."""


def _secrets() -> Mapping:
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:     # no secrets.toml at all: local mode
        return {}


def connexion_configuree() -> bool:
    """True when the secrets hold an [auth] section: users must sign in."""
    return bool(_secrets().get("auth"))


def _fichier_roles() -> Path | None:
    return chemin_roles() or (Path(p) if (p := _secrets().get(CLE_SECRETS_ROLES)) else None)


def _resoudre() -> Habilitation | None:
    """The session user's rights; None when not signed in; _AccesRefuse when refused."""
    if not connexion_configuree():
        return Habilitation.mode_local()
    if not st.user.get("is_logged_in"):
        return None
    chemin = _fichier_roles()
    if chemin is None:
        raise _AccesRefuse(
            "Configuration incomplète : aucun fichier des rôles (variable FLUX_ROLES ou clé "
            f"« {CLE_SECRETS_ROLES} » des secrets). Personne ne peut entrer tant qu'il manque : "
            "prévenez l'administrateur de l'application.")
    try:
        roles = lire_roles(chemin)
    except FichierRolesInvalide as exc:
        raise _AccesRefuse("Configuration invalide : le fichier des rôles ne peut pas être lu. "
                           f"Prévenez l'administrateur de l'application.\n\n{exc}") from None
    try:
        return roles.habilitation(str(st.user.get("email") or ""))
    except DroitsInsuffisants as exc:
        raise _AccesRefuse(str(exc)) from None


def habilitation() -> Habilitation:
    """What the session's user may do (app.py has already stopped anyone who may not read)."""
    try:
        hab = _resoudre()
    except _AccesRefuse:
        hab = None
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


def authentifier() -> Habilitation:
    """app.py: the sign-in screen, a refusal, or the user's rights (and the local banner)."""
    try:
        hab = _resoudre()
    except _AccesRefuse as exc:
        st.title("Accès refusé")
        st.error(str(exc))
        _bouton_deconnexion(st)
        st.stop()
    if hab is None:
        _ecran_connexion()
        st.stop()
    if hab.locale:
        st.html(f'<div role="status" class="bandeau-mode-local" style="background:#FEECC2;'
                f'color:#716043;border-left:4px solid #B34000;padding:.5rem .9rem;'
                f'margin-bottom:.4rem;font-size:.9rem">{TEXTE_MODE_LOCAL}</div>')
    else:
        st.sidebar.caption(f"Connecté : {hab.utilisateur} — {hab.description()}")
        _bouton_deconnexion(st.sidebar)
    return hab
