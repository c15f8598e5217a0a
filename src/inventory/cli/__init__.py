"""The command line: a thin layer that reads options, calls the core and writes results."""

from .app import app, main

__all__ = ["app", "main"]
