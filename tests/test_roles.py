"""The roles file (dashboard.habilitations): who gets which rights, and French errors naming the
line, the key, the value and what was expected when the file is wrong."""

from __future__ import annotations

import pytest
from conftest import ROOT

from dashboard.habilitations import (
    DroitsInsuffisants,
    FichierRolesInvalide,
    Habilitation,
    lire_roles,
    roles_depuis_texte,
)

EXEMPLE = ROOT / "roles.exemple.toml"


def _droits(h: Habilitation) -> tuple:
    return (h.utilisateur, h.role, sorted(h.bailleurs), sorted(h.departements))


@pytest.mark.parametrize("email, attendu", [
    ("admin@dreal-paca.example", ("admin@dreal-paca.example", "admin", [], [])),
    # Case does not matter; the journal gets the address in lower case.
    ("Jeanne.Martin@Habitat-Provence.example",
     ("jeanne.martin@habitat-provence.example", "bailleur", ["OLS01", "OLS02"], [])),
    ("referent.flux@logis-azur.example",
     ("referent.flux@logis-azur.example", "bailleur", ["OLS03"], [])),
    ("agent@ddets-alpes.example", ("agent@ddets-alpes.example", "etat", [], ["04", "05"])),
])
def test_fichier_exemple_du_depot(email, attendu):
    assert _droits(lire_roles(EXEMPLE).habilitation(email)) == attendu


@pytest.mark.parametrize("email", ["autre@logis-azur.example", "agent@sous.ddets-13.example"])
def test_fichier_exemple_sans_defaut_une_adresse_qu_aucune_regle_ne_cite_est_refusee(email):
    # The example people copy keeps [defaut] commented out: any account of the identity
    # provider would otherwise read every bailleur's figures.
    with pytest.raises(DroitsInsuffisants) as exc:
        lire_roles(EXEMPLE).habilitation(email)
    assert str(exc.value) == (
        f"L'adresse {email} n'a aucun rôle dans le fichier des rôles : demandez l'accès à "
        "l'administrateur de l'application.")


def _exemple_avec_defaut(tmp_path):
    """The example with its commented [defaut] section switched on, as its comment says."""
    texte = EXEMPLE.read_text(encoding="utf-8")
    assert '# [defaut]\n# role = "lecteur"\n' in texte
    chemin = tmp_path / "roles.toml"
    chemin.write_text(texte.replace('# [defaut]\n# role = "lecteur"\n',
                                    '[defaut]\nrole = "lecteur"\n'), encoding="utf-8")
    return lire_roles(chemin)


@pytest.mark.parametrize("email, attendu", [
    # Same domain, no rule of its own: the [defaut] role.
    ("autre@logis-azur.example", ("autre@logis-azur.example", "lecteur", [], [])),
    # A domain rule does not cover its sub-domains.
    ("agent@sous.ddets-13.example", ("agent@sous.ddets-13.example", "lecteur", [], [])),
    # Rules still win over [defaut].
    ("referent.flux@logis-azur.example",
     ("referent.flux@logis-azur.example", "bailleur", ["OLS03"], [])),
])
def test_fichier_exemple_avec_section_defaut_activee(tmp_path, email, attendu):
    assert _droits(_exemple_avec_defaut(tmp_path).habilitation(email)) == attendu


def test_l_adresse_exacte_l_emporte_sur_le_domaine():
    roles = roles_depuis_texte(
        '[domaines."habitat-sud.example"]\nrole = "bailleur"\nbailleurs = ["ols07"]\n\n'
        '[adresses."direction@habitat-sud.example"]\nrole = "admin"\n')
    assert _droits(roles.habilitation("direction@habitat-sud.example")) == (
        "direction@habitat-sud.example", "admin", [], [])
    # Codes are upper-cased as the import normalises them.
    assert _droits(roles.habilitation("agent@habitat-sud.example")) == (
        "agent@habitat-sud.example", "bailleur", ["OLS07"], [])


def test_sans_section_defaut_une_adresse_inconnue_est_refusee():
    roles = roles_depuis_texte('[adresses."admin@dreal.example"]\nrole = "admin"\n')
    with pytest.raises(DroitsInsuffisants) as exc:
        roles.habilitation("Inconnu@Ailleurs.example")
    assert str(exc.value) == (
        "L'adresse inconnu@ailleurs.example n'a aucun rôle dans le fichier des rôles : demandez "
        "l'accès à l'administrateur de l'application.")
    with pytest.raises(DroitsInsuffisants, match="^Adresse électronique invalide : « nom »"):
        roles.habilitation("nom")
    with pytest.raises(DroitsInsuffisants, match="^Adresse électronique absente"):
        roles.habilitation("")


@pytest.mark.parametrize("role, bailleurs, departements, importables, annule", [
    ("admin", [], [], ["conventions", "parc", "mises_a_disposition", "communes",
                       "documents_epci"], True),
    ("lecteur", [], [], [], False),
    ("bailleur", ["OLS01"], [], ["parc", "mises_a_disposition"], False),
    ("etat", [], ["13"], ["conventions", "documents_epci"], False),
])
def test_ce_que_chaque_role_peut_faire(role, bailleurs, departements, importables, annule):
    h = Habilitation("x@exemple.example", role, frozenset(bailleurs), frozenset(departements))
    for type_donnees in ("conventions", "parc", "mises_a_disposition", "communes",
                         "documents_epci"):
        assert h.peut_importer(type_donnees) == (type_donnees in importables), type_donnees
    assert h.peut_annuler == annule


def test_refus_expliques():
    bailleur = Habilitation("agent@habitat-sud.example", "bailleur", frozenset({"OLS02", "OLS01"}))
    with pytest.raises(DroitsInsuffisants) as exc:
        bailleur.verifier_import("conventions")
    assert str(exc.value) == (
        "agent@habitat-sud.example (bailleur (OLS01, OLS02)) ne peut pas importer de "
        "« conventions de gestion en flux » : ce rôle permet d'importer : « parc et assiette », "
        "« mises à disposition ».")
    lecteur = Habilitation("lecteur@dreal.example", "lecteur")
    with pytest.raises(DroitsInsuffisants) as exc:
        lecteur.verifier_import("parc")
    assert str(exc.value) == (
        "lecteur@dreal.example (lecteur) ne peut pas importer de « parc et assiette » : ce rôle "
        "ne permet pas d'importer des données.")
    etat = Habilitation("agent@ddets.example", "etat", departements=frozenset({"13", "04"}))
    with pytest.raises(DroitsInsuffisants) as exc:
        etat.verifier_annulation()
    assert str(exc.value) == (
        "agent@ddets.example (services de l'État (départements 04, 13)) ne peut pas annuler un "
        "import : seul un administrateur le peut.")


def test_mode_local_tous_les_droits():
    h = Habilitation.mode_local("dupont")
    assert (h.utilisateur, h.role, h.locale, h.peut_annuler) == ("dupont", "admin", True, True)


# ----------------------------------------------------------------------- invalid roles files

def _erreurs(texte: str) -> list[str]:
    with pytest.raises(FichierRolesInvalide) as exc:
        roles_depuis_texte(texte)
    return str(exc.value).splitlines()


def test_syntaxe_toml_invalide():
    assert _erreurs('[adresses."a@b.example"]\nrole = admin\n') == [
        "roles.toml, ligne 2, colonne 8 : syntaxe TOML invalide (Invalid value)."]


def test_toutes_les_erreurs_d_un_fichier_dans_l_ordre_des_lignes():
    texte = ('[defaut]\n'                                   # 1
             'role = "admin"\n'                             # 2
             '\n'
             '[domaines."bailleur.example"]\n'              # 4
             'role = "bailleur"\n'
             '\n'
             '[domaines."ddets.example"]\n'                 # 7
             'role = "etat"\n'
             'departements = [13, "2A"]\n'                  # 9
             '\n'
             '[adresses."pas-une-adresse"]\n'               # 11
             'role = "admin"\n'
             '\n'
             '[adresses."x@y.example"]\n'                   # 14
             'role = "lectuer"\n'                           # 15
             '\n'
             '[groupes]\n'                                  # 17
             'x = 1\n')
    assert _erreurs(texte) == [
        'roles.toml, ligne 2, [defaut] role : rôle par défaut « admin » refusé ; attendu : '
        '"lecteur" (ou pas de section [defaut]).',
        'roles.toml, ligne 4, [domaines."bailleur.example"] : le rôle bailleur demande ses '
        'codes : bailleurs = ["OLS01"].',
        'roles.toml, ligne 9, [domaines."ddets.example"] departements : valeur « 13 » refusée ; '
        'attendu : des codes de département entre guillemets, par exemple ["04", "13"].',
        'roles.toml, ligne 11, [adresses."pas-une-adresse"] : « pas-une-adresse » n\'est pas une '
        'adresse électronique (nom@domaine.fr).',
        'roles.toml, ligne 15, [adresses."x@y.example"] role : rôle « lectuer » inconnu ; '
        'attendu : admin, lecteur, bailleur, etat.',
        'roles.toml, ligne 17, [groupes] : clé « groupes » inconnue ; attendu : [defaut], '
        '[adresses."…"] ou [domaines."…"].',
    ]


def test_regles_en_tables_en_ligne():
    texte = ('[adresses]\n'
             '"a@b.example" = { role = "bailleur", bailleurs = ["ols1", "OLS 2"] }\n'
             '"c@b.example" = { role = "etat", bailleurs = ["OLS1"], departements = ["13"] }\n'
             '"A@B.example" = { role = "admin" }\n')
    assert _erreurs(texte) == [
        'roles.toml, ligne 2, [adresses."a@b.example"] bailleurs : valeur « OLS 2 » refusée ; '
        'attendu : des codes de bailleur entre guillemets, par exemple ["OLS01"].',
        'roles.toml, ligne 3, [adresses."c@b.example"] bailleurs : « bailleurs » ne vaut que '
        'pour le rôle bailleur (rôle : etat).',
        'roles.toml, ligne 4, [adresses."A@B.example"] : « A@B.example » figure deux fois '
        '(majuscules mises à part).',
    ]


def test_fichier_introuvable(tmp_path):
    with pytest.raises(FichierRolesInvalide) as exc:
        lire_roles(tmp_path / "absent.toml")
    assert str(exc.value) == f"Fichier des rôles introuvable : {tmp_path / 'absent.toml'}."
