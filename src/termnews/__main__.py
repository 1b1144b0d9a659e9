"""Allow ``python -m termnews``."""

from termnews.cli import main

if __name__ == "__main__":  # guarded: parse workers are spawned and re-import __main__
    raise SystemExit(main())
