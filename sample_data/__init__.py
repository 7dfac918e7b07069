"""Fictional but realistic PACA sample data (see README.md) and its seeded generator."""
