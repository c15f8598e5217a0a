"""inventory: keep an inventory of a programme's activities."""

__version__ = "0.1.0"
