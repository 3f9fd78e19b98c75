-- The title index: every anime's titles (and ids), for autocomplete only — no credits. Two origins:
-- 'offline': an anime-offline-database release (manami-project) loaded with `kansou catalogue load-titles`;
-- 'search': AniList search results seen when a member's title matched nothing locally, offered until expires_at;
-- 'season': one season's shows fetched from AniList by `/catalogue season` (kept until a reload of the offline
-- release lists them itself).
CREATE TABLE title_index (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,            -- 'anilist:123', else 'mal:45', else the entry's first source URL
    anilist_id INTEGER,
    mal_id INTEGER,
    title TEXT NOT NULL,
    format TEXT,
    episodes INTEGER,
    season TEXT,
    year INTEGER,
    origin TEXT NOT NULL CHECK (origin IN ('offline', 'search', 'season')),
    expires_at REAL                      -- 'search' rows only: when they stop being offered
);
CREATE INDEX title_index_anilist ON title_index (anilist_id);

-- Each title and synonym, normalised, once from the start of every word ("sousou no frieren", "no frieren",
-- "frieren"; pos = the word it starts at), so a prefix range scan finds a word prefix anywhere in a name.
CREATE TABLE title_index_name (
    norm TEXT NOT NULL,
    title_id INTEGER NOT NULL REFERENCES title_index (id) ON DELETE CASCADE,
    pos INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (norm, title_id)
);
CREATE INDEX title_index_name_title ON title_index_name (title_id);

-- The release loaded last (one row): its digest makes a second load of the same file a no-op.
CREATE TABLE title_index_release (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    digest TEXT NOT NULL,
    last_update TEXT NOT NULL,
    entries INTEGER NOT NULL,
    loaded_at REAL NOT NULL
);

-- `/catalogue season`: how far each season's import got, so an interrupted one resumes at its next page.
CREATE TABLE season_import (
    year INTEGER NOT NULL,
    season TEXT NOT NULL,
    next_page INTEGER NOT NULL,
    titles INTEGER NOT NULL,
    done INTEGER NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (year, season)
);
