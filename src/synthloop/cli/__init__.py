"""The synthloop command line."""

from synthloop.cli.app import app, main

__all__ = ["app", "main"]
