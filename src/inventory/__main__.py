"""``python -m inventory``: the same as the ``inventory`` command."""

from .cli import main

main()
