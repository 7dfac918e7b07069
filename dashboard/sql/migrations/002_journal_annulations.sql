-- Who rolled an import back, and when (issue 7: "the journal records who imported what";
-- a rollback is as much a change of the data as an import). One row per rolled-back import.
CREATE TABLE journal_annulations (
    import_id    INTEGER NOT NULL,
    utilisateur  VARCHAR NOT NULL,   -- e-mail of the signed-in user, --as address, or OS user
    horodatage   TIMESTAMP NOT NULL
);
