"""``python -m inventory``: the same as the ``inventory`` command."""

from .cli.app import main

main()
