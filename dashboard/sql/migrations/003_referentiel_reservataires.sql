-- Version 3: one identity per réservataire (DOMAIN §3.6).
--
-- `reservataires` is the referential: one row per identity, whatever each file calls it.
-- `correspondances` says, per bailleur, which identity a value written in its files means.
-- Rows of conventions and mises à disposition store the identity (reservataire_code) and keep
-- the value as written (reservataire_valeur). Every change of a correspondence is journalled
-- with the number of rows it re-attached. `profils_entetes` remembers how a bailleur's files'
-- headers were matched by hand, to match its next files with the same headers alike.
--
-- The identities of the reference territories (préfets, conseils départementaux, communes,
-- EPCI, Action Logement Services) are written by dashboard.referentiel (they need the
-- départements' names), right after this migration on an existing database.

CREATE TABLE reservataires (
    reservataire_code  VARCHAR NOT NULL,
    nom                VARCHAR NOT NULL,
    type_reservataire  VARCHAR NOT NULL,
    territoire         VARCHAR,            -- INSEE code, EPCI SIREN, département or région code
    origine            VARCHAR NOT NULL,   -- REFERENCE, CONVENTION, MANUELLE
    cree_par           VARCHAR,
    cree_le            TIMESTAMP NOT NULL
);

CREATE TABLE correspondances (
    bailleur_code      VARCHAR NOT NULL,
    valeur             VARCHAR NOT NULL,   -- as first written in that bailleur's files
    cle                VARCHAR NOT NULL,   -- the value folded (case, accents, spaces aside)
    reservataire_code  VARCHAR NOT NULL,
    origine            VARCHAR NOT NULL,   -- convention, automatique, manuelle
    utilisateur        VARCHAR NOT NULL,
    horodatage         TIMESTAMP NOT NULL
);

CREATE SEQUENCE IF NOT EXISTS seq_correspondance START 1;

CREATE TABLE journal_correspondances (
    id                 INTEGER NOT NULL,
    bailleur_code      VARCHAR NOT NULL,
    valeur             VARCHAR NOT NULL,
    ancien_code        VARCHAR,            -- NULL: a new correspondence
    nouveau_code       VARCHAR,            -- NULL: a correspondence removed
    origine            VARCHAR NOT NULL,
    lignes_rattachees  INTEGER NOT NULL,   -- rows of conventions and MAD re-attached
    utilisateur        VARCHAR NOT NULL,
    horodatage         TIMESTAMP NOT NULL
);

CREATE TABLE profils_entetes (
    type_donnees       VARCHAR NOT NULL,
    signature          VARCHAR NOT NULL,   -- the file's headers, folded, joined by '|'
    bailleur_code      VARCHAR,            -- whose files they are (for the listing)
    mapping            VARCHAR NOT NULL,   -- JSON {"canonical column": "header in the file"}
    utilisateur        VARCHAR NOT NULL,
    horodatage         TIMESTAMP NOT NULL
);

ALTER TABLE conventions ADD COLUMN reservataire_valeur VARCHAR;
ALTER TABLE archive_conventions ADD COLUMN reservataire_valeur VARCHAR;
ALTER TABLE mises_a_disposition ADD COLUMN reservataire_valeur VARCHAR;
ALTER TABLE archive_mises_a_disposition ADD COLUMN reservataire_valeur VARCHAR;
UPDATE conventions SET reservataire_valeur = reservataire_code;
UPDATE archive_conventions SET reservataire_valeur = reservataire_code;
UPDATE mises_a_disposition SET reservataire_valeur = reservataire_code;
UPDATE archive_mises_a_disposition SET reservataire_valeur = reservataire_code;
