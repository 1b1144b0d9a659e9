"""Network side: HTTP fetching, feed parsing, OPML and feed discovery."""
