"""Rights enforced inside the import and the rollback (data_loaders.ingest with an
``habilitation``): a bailleur imports only rows of its own codes, ``etat`` only conventions
and EPCI documents of its départements, only ``admin`` rolls back; the journal says who.

The rows outside the user's rights are line errors naming the codes: a strict import is
rejected (nothing written), a partial one quarantines them. Every expected value is written
by hand (line numbers: header = line 1).
"""

from __future__ import annotations

import pytest
from conftest import COLONNES, convention, document, importer, instantane, mad, parc, tableau

from dashboard.habilitations import DroitsInsuffisants, Habilitation
from data_loaders import annuler, quarantaine

BAILLEUR_OLS1 = Habilitation("agent@habitat-sud.example", "bailleur", frozenset({"OLS1"}))
ETAT_13 = Habilitation("agent@ddets-13.example", "etat", departements=frozenset({"13"}))
ETAT_04 = Habilitation("agent@ddets-04.example", "etat", departements=frozenset({"04"}))
LECTEUR = Habilitation("lecteur@dreal.example", "lecteur")
ADMIN = Habilitation("admin@dreal.example", "admin")


def _imp(base, fichiers, kind, *rangees, **kw):
    return importer(base, kind, fichiers.csv(tableau(COLONNES[kind], *rangees)), **kw)


def _erreurs(rapport) -> list[tuple]:
    return [(e.ligne, e.colonne, e.valeur, e.message) for e in rapport.erreurs]


def _journal(con) -> list[tuple]:
    return con.execute("SELECT import_id, type_donnees, perimetre, lignes_importees, "
                       "lignes_rejetees, statut, utilisateur FROM journal_imports ORDER BY 1"
                       ).fetchall()


MAD_MELANGEES = [mad(reference="R1"),                                   # line 2: OLS1
                 mad(bailleur_code="OLS2", reference="R2"),              # line 3: OLS2
                 mad(reference="R3", date_mise_a_disposition="16/03/2025"),  # line 4: OLS1
                 mad(bailleur_code="ols3", reference="R4")]              # line 5: OLS3


def test_bailleur_import_strict_rejete_les_lignes_des_autres_bailleurs(base, fichiers):
    avant = instantane(base)
    rapport = _imp(base, fichiers, "mises_a_disposition", *MAD_MELANGEES,
                   habilitation=BAILLEUR_OLS1)
    assert rapport.statut == "rejete"
    assert rapport.message == (
        "Fichier rejeté : 2 ligne(s) en erreur sur 4. Rien n'a été importé. Lignes hors de vos "
        "droits : bailleur(s) OLS2, OLS3 (vous importez seulement pour le(s) bailleur(s) OLS1). "
        "Corrigez les erreurs, ou importez en mode partiel pour mettre ces lignes en "
        "quarantaine.")
    assert _erreurs(rapport) == [
        (3, "bailleur_code", "OLS2",
         "bailleur OLS2 hors de vos droits : vous importez seulement pour le(s) bailleur(s) OLS1"),
        (5, "bailleur_code", "OLS3",
         "bailleur OLS3 hors de vos droits : vous importez seulement pour le(s) bailleur(s) OLS1"),
    ]
    assert instantane(base) == avant


def test_bailleur_import_partiel_met_les_autres_bailleurs_en_quarantaine(base, fichiers):
    rapport = _imp(base, fichiers, "mises_a_disposition", *MAD_MELANGEES,
                   habilitation=BAILLEUR_OLS1, partiel=True)
    assert (rapport.statut, rapport.import_id) == ("importe", 1)
    assert rapport.message == (
        "Import n° 1 : 2 ligne(s) importée(s), 2 ligne(s) mise(s) en quarantaine. Lignes hors de "
        "vos droits : bailleur(s) OLS2, OLS3 (vous importez seulement pour le(s) bailleur(s) "
        "OLS1).")
    assert base.execute("SELECT bailleur_code, reference FROM mises_a_disposition ORDER BY ALL"
                        ).fetchall() == [("OLS1", "R1"), ("OLS1", "R3")]
    q = quarantaine(base)
    assert list(q["ligne"]) == [3, 5]
    assert list(q["motifs"]) == [
        "bailleur_code « OLS2 » : bailleur OLS2 hors de vos droits : vous importez seulement "
        "pour le(s) bailleur(s) OLS1",
        "bailleur_code « OLS3 » : bailleur OLS3 hors de vos droits : vous importez seulement "
        "pour le(s) bailleur(s) OLS1"]
    # The journal records who imported what.
    assert _journal(base) == [(1, "mises_a_disposition", "OLS1 (2025)", 2, 2, "ACTIVE",
                               "agent@habitat-sud.example")]


def test_la_verification_avant_import_annonce_les_lignes_hors_droits(base, fichiers):
    rapport = _imp(base, fichiers, "mises_a_disposition", *MAD_MELANGEES,
                   habilitation=BAILLEUR_OLS1, partiel=True, simulation=True)
    assert rapport.message == (
        "Prêt à importer 2 ligne(s) ; 2 ligne(s) iront en quarantaine. Lignes hors de vos "
        "droits : bailleur(s) OLS2, OLS3 (vous importez seulement pour le(s) bailleur(s) OLS1).")
    assert base.execute("SELECT count(*) FROM journal_imports").fetchone() == (0,)


def test_bailleur_ses_propres_lignes_passent_et_le_journal_dit_qui(base, fichiers):
    rapport = _imp(base, fichiers, "parc", parc(), parc(code_insee="04070"),
                   habilitation=BAILLEUR_OLS1)
    assert (rapport.statut, rapport.message) == (
        "importe", "Import n° 1 : 2 ligne(s) importée(s).")
    assert _journal(base) == [(1, "parc", "OLS1 (2025)", 2, 0, "ACTIVE",
                               "agent@habitat-sud.example")]


@pytest.mark.parametrize("habilitation, type_donnees, rangee, message", [
    (BAILLEUR_OLS1, "conventions", convention(),
     "agent@habitat-sud.example (bailleur (OLS1)) ne peut pas importer de « conventions de "
     "gestion en flux » : ce rôle permet d'importer : « parc et assiette », « mises à "
     "disposition »."),
    (ETAT_13, "parc", parc(),
     "agent@ddets-13.example (services de l'État (département 13)) ne peut pas importer de "
     "« parc et assiette » : ce rôle permet d'importer : « conventions de gestion en flux », "
     "« documents des epci »."),
    (LECTEUR, "mises_a_disposition", mad(),
     "lecteur@dreal.example (lecteur) ne peut pas importer de « mises à disposition » : ce "
     "rôle ne permet pas d'importer des données."),
])
def test_type_de_donnees_refuse_avant_meme_de_lire(base, fichiers, habilitation, type_donnees,
                                                  rangee, message):
    avant = instantane(base)
    with pytest.raises(DroitsInsuffisants) as exc:
        _imp(base, fichiers, type_donnees, rangee, habilitation=habilitation)
    assert str(exc.value) == message
    assert instantane(base) == avant


def test_referentiel_des_communes_reserve_a_l_admin(base, fichiers):
    with pytest.raises(DroitsInsuffisants, match="ne peut pas importer de « communes et epci"):
        importer(base, "communes", fichiers.texte("x\n"), habilitation=ETAT_13)


def test_etat_conventions_de_ses_departements_seulement(base, fichiers):
    avant = instantane(base)
    rapport = _imp(base, fichiers, "conventions",
                   convention(),                                                   # line 2: 13
                   convention(departement="04", reservataire_code="ETAT-04"),      # line 3: 04
                   habilitation=ETAT_13)
    assert rapport.statut == "rejete"
    assert _erreurs(rapport) == [
        (3, "departement", "04", "département 04 hors de vos droits : vous importez seulement "
                                 "pour le(s) département(s) 13")]
    assert "Lignes hors de vos droits : département(s) 04 (vous importez seulement pour le(s) " \
           "département(s) 13)." in rapport.message
    assert instantane(base) == avant


def test_une_ddets_ne_remplace_pas_les_conventions_d_un_autre_departement(base, fichiers):
    # The 04 and the 13 each import OLS1's 2025 conventions of their département; the 13's new
    # version replaces only its own.
    assert _imp(base, fichiers, "conventions",
                convention(departement="04", reservataire_code="ETAT-04"),
                habilitation=ETAT_04).import_id == 1
    assert _imp(base, fichiers, "conventions", convention(),
                habilitation=ETAT_13).import_id == 2
    rapport = _imp(base, fichiers, "conventions", convention(taux_flux="25"),
                   habilitation=ETAT_13)
    assert (rapport.import_id, rapport.remplaces) == (3, [2])
    assert base.execute("SELECT reservataire_code, departement, taux_flux, import_id "
                        "FROM conventions ORDER BY ALL").fetchall() == [
        ("ETAT-04", "04", 30.0, 1), ("ETAT-13", "13", 25.0, 3)]
    assert _journal(base) == [
        (1, "conventions", "OLS1 (2025 ; dép. 04)", 1, 0, "ACTIVE", "agent@ddets-04.example"),
        (2, "conventions", "OLS1 (2025 ; dép. 13)", 1, 0, "REPLACED", "agent@ddets-13.example"),
        (3, "conventions", "OLS1 (2025 ; dép. 13)", 1, 0, "ACTIVE", "agent@ddets-13.example")]


def test_etat_documents_des_epci_de_ses_departements(base, fichiers):
    # 200054807 Métropole d'Aix-Marseille-Provence (13, though it has communes in 83 and 84);
    # 200067437 CA Provence-Alpes-Agglomération (04).
    rapport = _imp(base, fichiers, "documents_epci",
                   document(),                                                  # line 2
                   document(epci_siren="200067437", document="CIA"),            # line 3
                   habilitation=ETAT_13, partiel=True)
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 1)
    assert _erreurs(rapport) == [
        (3, "epci_siren", "200067437", "EPCI du département 04 hors de vos droits : vous "
                                       "importez seulement pour le(s) département(s) 13")]
    assert rapport.message.endswith(
        "Lignes hors de vos droits : EPCI 200067437 (vous importez seulement pour le(s) "
        "département(s) 13).")
    assert base.execute("SELECT epci_siren, document, import_id FROM documents_epci"
                        ).fetchall() == [("200054807", "CIL", 1)]


def test_epci_sans_departement_connu_refuse_a_l_etat(base, fichiers):
    # The reference says nothing of the Métropole's département: no `etat` user owns it (a NULL
    # département must not pass the check); the admin still may import its documents.
    base.execute("UPDATE epci SET departement = NULL WHERE epci_siren = '200054807'")
    avant = instantane(base)
    rapport = _imp(base, fichiers, "documents_epci", document(), habilitation=ETAT_13)
    assert rapport.statut == "rejete"
    assert _erreurs(rapport) == [
        (2, "epci_siren", "200054807", "EPCI du département inconnu hors de vos droits : vous "
                                       "importez seulement pour le(s) département(s) 13")]
    assert instantane(base) == avant
    rapport = _imp(base, fichiers, "documents_epci", document(), habilitation=ADMIN)
    assert (rapport.statut, rapport.lignes_importees) == ("importe", 1)


def test_le_journal_nomme_l_utilisateur_habilite_jamais_un_autre(base, fichiers):
    # The same name as the habilitation's: accepted (and recorded).
    _imp(base, fichiers, "parc", parc(), habilitation=BAILLEUR_OLS1,
         utilisateur="agent@habitat-sud.example")
    avant = instantane(base)
    with pytest.raises(ValueError, match="différent de celui de l'habilitation"):
        _imp(base, fichiers, "parc", parc(), habilitation=BAILLEUR_OLS1,
             utilisateur="admin@dreal.example")
    with pytest.raises(ValueError, match="différent de celui de l'habilitation"):
        annuler(base, 1, habilitation=ADMIN, utilisateur="autre@dreal.example")
    assert instantane(base) == avant
    annuler(base, 1, habilitation=ADMIN)
    assert _journal(base) == [(1, "parc", "OLS1 (2025)", 1, 0, "ROLLED_BACK",
                               "agent@habitat-sud.example")]
    assert base.execute("SELECT import_id, utilisateur FROM journal_annulations").fetchall() == [
        (1, "admin@dreal.example")]


def test_seul_l_admin_annule(base, fichiers):
    _imp(base, fichiers, "parc", parc(), habilitation=BAILLEUR_OLS1)
    avant = instantane(base)
    for h in (BAILLEUR_OLS1, ETAT_13, LECTEUR):
        with pytest.raises(DroitsInsuffisants, match="seul un administrateur le peut"):
            annuler(base, 1, habilitation=h)
    assert instantane(base) == avant
    assert annuler(base, 1, habilitation=ADMIN) == "Import n° 1 annulé."
    assert base.execute("SELECT statut FROM journal_imports").fetchall() == [("ROLLED_BACK",)]
