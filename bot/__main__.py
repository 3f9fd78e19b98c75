"""``python -m bot`` is the ``kansou`` command (see :mod:`bot.cli`)."""

from __future__ import annotations

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
