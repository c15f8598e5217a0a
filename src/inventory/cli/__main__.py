"""``python -m inventory.cli``: the same as the ``inventory`` command."""

from .app import main

main()
