"""``python -m agb``: the ``agb`` command line (needs the ``cli`` extra)."""

from agb.cli import main

if __name__ == "__main__":
    main()
