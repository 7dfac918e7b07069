"""Unit tests of the SQL models of dashboard/sql/metrics/, one file per model (see harnais.py)."""
