"""termnews: a keyboard-first terminal news reader with an offline cache."""

__version__ = "0.1.0"
