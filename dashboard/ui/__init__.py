"""Streamlit helpers: the only part of the `dashboard` package that imports Streamlit."""
