-- The credits catalogue: shows, people, characters, and who did what on which show.
-- `key` is the stable identity used by catalogue files ("metallic-rouge") and AniList imports
-- ("anilist:anime:163270"); loading the same data twice upserts by key and changes nothing.

CREATE TABLE anime (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL UNIQUE,
    anilist_id    INTEGER UNIQUE,
    title_romaji  TEXT    NOT NULL,
    title_english TEXT,
    title_native  TEXT,
    studio        TEXT,
    episodes      INTEGER CHECK (episodes IS NULL OR episodes > 0),
    year          INTEGER,
    format        TEXT,
    note          TEXT,
    source        TEXT,
    fetched_at    REAL
);

CREATE TABLE person (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    anilist_id INTEGER UNIQUE,
    name       TEXT    NOT NULL,
    native     TEXT,
    note       TEXT,
    source     TEXT,
    fetched_at REAL
);

CREATE TABLE character (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    anilist_id INTEGER UNIQUE,
    name       TEXT    NOT NULL,
    native     TEXT,
    note       TEXT,
    source     TEXT
);

CREATE TABLE voice_role (
    anime_id     INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    character_id INTEGER NOT NULL REFERENCES character (id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    language     TEXT    NOT NULL,
    note         TEXT,
    PRIMARY KEY (anime_id, character_id, person_id, language)
) WITHOUT ROWID;
CREATE INDEX voice_role_person ON voice_role (person_id);
CREATE INDEX voice_role_character ON voice_role (character_id);

-- A rowid table so that a show's staff keep the order they were credited in.
CREATE TABLE staff_role (
    id        INTEGER PRIMARY KEY,
    anime_id  INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES person (id) ON DELETE CASCADE,
    role      TEXT    NOT NULL,
    UNIQUE (anime_id, person_id, role)
);
CREATE INDEX staff_role_person ON staff_role (person_id);

-- Every name form of every entity (titles, names, native names, aliases), with its search form.
-- `kind` is 'anime', 'person' or 'character'; `norm` is bot.services.names.normalize(name).
CREATE TABLE name (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL CHECK (kind IN ('anime', 'person', 'character')),
    entity_id INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    norm      TEXT    NOT NULL,
    is_alias  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, entity_id, name)
);
CREATE INDEX name_entity ON name (kind, entity_id);

-- Word-prefix candidates for search ("shima yu" finds "yu shimamura"); rapidfuzz ranks them.
CREATE VIRTUAL TABLE name_fts USING fts5 (
    norm,
    content = 'name',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER name_ai AFTER INSERT ON name BEGIN
    INSERT INTO name_fts (rowid, norm) VALUES (new.id, new.norm);
END;
CREATE TRIGGER name_ad AFTER DELETE ON name BEGIN
    INSERT INTO name_fts (name_fts, rowid, norm) VALUES ('delete', old.id, old.norm);
END;
CREATE TRIGGER name_au AFTER UPDATE ON name BEGIN
    INSERT INTO name_fts (name_fts, rowid, norm) VALUES ('delete', old.id, old.norm);
    INSERT INTO name_fts (rowid, norm) VALUES (new.id, new.norm);
END;

-- Catalogue files already loaded, by content digest, so an unchanged file is not loaded again at start-up.
CREATE TABLE catalogue_source (
    name      TEXT PRIMARY KEY,
    digest    TEXT NOT NULL,
    loaded_at REAL NOT NULL
);
