"""Related articles and full-text search over the local cache.

- :mod:`terms`: article text to index terms (HTML to text, tokens, light stemming).
- :mod:`indexer`: writes ``related_docs``/``related_terms`` and ``search_fts`` rows,
  inside refresh's transaction; :mod:`upkeep` catches up with other writers.
- :mod:`engine`: the in-memory ranking index (numpy), :mod:`snapshot` its copy on disk.
- :mod:`query`: the search language, parsed into an FTS5 expression and filters.
- :mod:`results`, :mod:`items`: what ``NewsService.related``/``search`` return,
  each with a score and a reason ("why"); :mod:`commands`: the CLI commands.
"""
