"""Curation: turn a generated set into a smaller, cleaner, weighted one, and say why."""
