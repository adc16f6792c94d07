"""Extractive question answering: answer spans of a real passage."""
