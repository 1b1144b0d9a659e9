"""The on-disk cache: one SQLite database with feeds and articles."""
