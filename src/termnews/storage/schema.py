"""The cache's schema, as an append-only list of migrations.

``MIGRATIONS[i]`` takes a database from ``PRAGMA user_version`` i to i+1. Never
edit a released migration: add a new one.
"""

MIGRATIONS: list[str] = [
    # 1: feeds and articles
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site_url TEXT NOT NULL DEFAULT '',
        folder TEXT NOT NULL DEFAULT '',
        etag TEXT,
        last_modified TEXT,
        last_status TEXT NOT NULL DEFAULT '',
        last_error TEXT,
        last_attempt INTEGER,
        last_success INTEGER,
        retry_after INTEGER,
        added_at INTEGER NOT NULL
    );
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        guid TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        published INTEGER,
        updated INTEGER,
        summary TEXT NOT NULL DEFAULT '',
        content TEXT NOT NULL DEFAULT '',
        enclosures TEXT NOT NULL DEFAULT '[]',
        categories TEXT NOT NULL DEFAULT '[]',
        comments_url TEXT NOT NULL DEFAULT '',
        comments_count INTEGER,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        first_seen INTEGER NOT NULL,
        sort_date INTEGER NOT NULL,  -- published, else updated, else first_seen
        fingerprint TEXT NOT NULL,
        UNIQUE (feed_id, key)
    );
    CREATE INDEX articles_feed_date ON articles(feed_id, sort_date DESC);
    CREATE INDEX articles_date ON articles(sort_date DESC);
    CREATE INDEX articles_unread ON articles(feed_id) WHERE read = 0;
    CREATE INDEX articles_starred ON articles(starred) WHERE starred = 1;
    """,
    # 2: small key/value state the UI keeps between runs (last feed, theme, ...)
    """
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: the full article extracted from an item's linked page, fetched once
    """
    CREATE TABLE full_texts (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
        status TEXT NOT NULL,  -- 'ok' or 'error'
        url TEXT NOT NULL DEFAULT '',  -- the page's final URL, base for its links
        content TEXT NOT NULL DEFAULT '',  -- the extracted article as simplified HTML
        meta TEXT NOT NULL DEFAULT '{}',  -- the page's title, author, date, site name
        related TEXT NOT NULL DEFAULT '[]',  -- the page's own related links
        error TEXT,  -- why the page could not be fetched or extracted
        fetched_at INTEGER NOT NULL
    );
    """,
    # 4: covering indexes for the UI's headline lists and unread counts on big caches
    """
    CREATE INDEX articles_read_date ON articles(read, sort_date, id);
    CREATE INDEX articles_feed_read ON articles(feed_id, read, sort_date);
    """,
    # 5: comment drafts and their outbox state (kept when the article goes)
    """
    CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        token TEXT NOT NULL UNIQUE,  -- random id sent as Idempotency-Key
        article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
        article_url TEXT NOT NULL DEFAULT '',
        article_title TEXT NOT NULL DEFAULT '',
        article_guid TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        reply_to TEXT NOT NULL DEFAULT '',  -- the remote id of the comment replied to
        state TEXT NOT NULL DEFAULT 'draft'
            CHECK (state IN ('draft', 'queued', 'sending', 'posted', 'held', 'failed')),
        error TEXT,  -- the last reason it was not posted, in words
        remote_id TEXT,  -- the comment's id on the site, once there
        remote_url TEXT,
        backend TEXT NOT NULL DEFAULT '',  -- the kind of backend it went to
        target TEXT NOT NULL DEFAULT '{}',  -- what discovery found (REST root, post id)
        needs_check INTEGER NOT NULL DEFAULT 0,  -- a send may have arrived: ask first
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER,
        sending_owner TEXT,  -- pid of the process sending it
        sending_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        sent_at INTEGER
    );
    CREATE INDEX drafts_state ON drafts(state, next_attempt);
    CREATE INDEX drafts_article ON drafts(article_id);
    """,
    # 6: the related-articles index (vocabulary, each article's key terms) and full-text search
    """
    CREATE TABLE related_terms (
        id INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE,
        df INTEGER NOT NULL DEFAULT 0  -- how many indexed articles use it
    );
    CREATE TABLE related_docs (
        article_id INTEGER PRIMARY KEY,  -- no foreign key: orphans are found and uncounted
        seq INTEGER NOT NULL,  -- grows with every write: other processes catch up from it
        fingerprint TEXT NOT NULL,  -- the article's when indexed: an edit makes it stale
        full INTEGER NOT NULL DEFAULT 0,  -- 1 once its extracted full text was considered
        link_key TEXT NOT NULL DEFAULT '',  -- normalised link: the same page in two feeds
        title_key TEXT NOT NULL DEFAULT '',  -- normalised title: the same story re-posted
        terms BLOB NOT NULL,  -- int32 ids of its key terms, best first
        weights BLOB NOT NULL,  -- float32 weights of those terms, before idf
        vocab BLOB NOT NULL  -- int32 ids of all its distinct terms
    );
    CREATE INDEX related_docs_seq ON related_docs(seq);
    CREATE INDEX related_docs_link ON related_docs(link_key) WHERE link_key != '';
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, author, body, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    """,
    # 7: search gets prefix indexes (3 and 4 letters): "pres*" on 100,000 articles in ms
    """
    CREATE VIRTUAL TABLE search_fts_new USING fts5(
        title, author, body, tokenize = 'porter unicode61 remove_diacritics 2', prefix = '3 4'
    );
    INSERT INTO search_fts_new (rowid, title, author, body)
        SELECT rowid, title, author, body FROM search_fts;
    DROP TABLE search_fts;
    ALTER TABLE search_fts_new RENAME TO search_fts;
    """,
    # 8: search without prefix indexes again: they took 900 MB on 100,000 articles, and
    # prefixes are now expanded to their commonest words before FTS5 sees them
    """
    CREATE VIRTUAL TABLE search_fts_new USING fts5(
        title, author, body, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO search_fts_new (rowid, title, author, body)
        SELECT rowid, title, author, body FROM search_fts;
    DROP TABLE search_fts;
    ALTER TABLE search_fts_new RENAME TO search_fts;
    """,
]
