-- A version per (server, show) that every write to its ratings moves on, in the same transaction, whoever writes
-- (any process on the database): what /ratings show's chart is cached under, so it is drawn once per change.
-- Rows are never deleted (a show whose votes all go and come back keeps counting up), so a version never repeats.
-- The triggers are SQLite's syntax, like the ratings' own; the statement inside is portable (ON CONFLICT).

CREATE TABLE rating_version (
    guild_id INTEGER NOT NULL,
    anime_id INTEGER NOT NULL,
    version  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, anime_id)
) WITHOUT ROWID;

CREATE TRIGGER rating_version_ai AFTER INSERT ON rating BEGIN
    INSERT INTO rating_version (guild_id, anime_id, version) VALUES (new.guild_id, new.anime_id, 1)
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER rating_version_au AFTER UPDATE OF score ON rating WHEN old.score <> new.score BEGIN
    INSERT INTO rating_version (guild_id, anime_id, version) VALUES (new.guild_id, new.anime_id, 1)
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER rating_version_ad AFTER DELETE ON rating BEGIN
    INSERT INTO rating_version (guild_id, anime_id, version) VALUES (old.guild_id, old.anime_id, 1)
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = version + 1;
END;
