-- Rating categories become data. Each server's categories are rows of rating_category; the rows of guild 0 are
-- every server's defaults (the seed's five), used by any server that has no rows of its own. A server's first
-- change copies the defaults into its own rows (see bot/ratings/store.py). A vote names its category by key;
-- a key never changes (renaming changes the label) and is never reused in its server. A retired category keeps
-- its votes and takes no new ones. Adding a default category is one row of guild 0.

CREATE TABLE rating_category (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    created_at REAL,
    retired_at REAL,
    PRIMARY KEY (guild_id, key)
) WITHOUT ROWID;

INSERT INTO rating_category (guild_id, key, label, position) VALUES
    (0, 'animation', 'Animation', 1),
    (0, 'voice_acting', 'Voice Acting', 2),
    (0, 'music', 'Music', 3),
    (0, 'writing', 'Writing', 4),
    (0, 'story', 'Story', 5);

-- The vote table without its CHECKs (the five category names, the score range): a score is checked once, where
-- it comes in, and a category is any of the server's. SQLite cannot drop a CHECK, so the table is rebuilt: the
-- votes are copied as they are and the triggers (dropped with the old table) made again, unchanged. The copy
-- fires no trigger, and DROP TABLE's implicit delete fires none either, so the tallies stay as they were: exact.
CREATE TABLE rating_rebuilt (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    anime_id  INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    category  TEXT    NOT NULL,
    score     INTEGER NOT NULL,
    rated_at  REAL    NOT NULL,
    PRIMARY KEY (guild_id, member_id, anime_id, category)
) WITHOUT ROWID;

INSERT INTO rating_rebuilt (guild_id, member_id, anime_id, category, score, rated_at)
SELECT guild_id, member_id, anime_id, category, score, rated_at FROM rating;

DROP TABLE rating;

ALTER TABLE rating_rebuilt RENAME TO rating;

CREATE TRIGGER rating_ai AFTER INSERT ON rating BEGIN
    INSERT INTO rating_tally (guild_id, anime_id, category, votes, total, n2, n3, n4, n5, n6, n7, n8, n9, n10)
    VALUES (new.guild_id, new.anime_id, new.category, 1, new.score,
            new.score = 2, new.score = 3, new.score = 4, new.score = 5, new.score = 6,
            new.score = 7, new.score = 8, new.score = 9, new.score = 10)
    ON CONFLICT DO UPDATE SET
        votes = votes + 1, total = total + excluded.total,
        n2 = n2 + excluded.n2, n3 = n3 + excluded.n3, n4 = n4 + excluded.n4, n5 = n5 + excluded.n5,
        n6 = n6 + excluded.n6, n7 = n7 + excluded.n7, n8 = n8 + excluded.n8, n9 = n9 + excluded.n9,
        n10 = n10 + excluded.n10;
    INSERT INTO rating_show (guild_id, anime_id) VALUES (new.guild_id, new.anime_id) ON CONFLICT DO NOTHING;
    UPDATE rating_show SET
        voters = voters + (
            SELECT count(*) = 1 FROM rating
            WHERE guild_id = new.guild_id AND member_id = new.member_id AND anime_id = new.anime_id),
        overall = (
            SELECT avg(total * 0.5 / votes) FROM rating_tally
            WHERE guild_id = new.guild_id AND anime_id = new.anime_id)
    WHERE guild_id = new.guild_id AND anime_id = new.anime_id;
END;

CREATE TRIGGER rating_au AFTER UPDATE OF score ON rating WHEN old.score <> new.score BEGIN
    UPDATE rating_tally SET
        total = total - old.score + new.score,
        n2 = n2 - (old.score = 2) + (new.score = 2), n3 = n3 - (old.score = 3) + (new.score = 3),
        n4 = n4 - (old.score = 4) + (new.score = 4), n5 = n5 - (old.score = 5) + (new.score = 5),
        n6 = n6 - (old.score = 6) + (new.score = 6), n7 = n7 - (old.score = 7) + (new.score = 7),
        n8 = n8 - (old.score = 8) + (new.score = 8), n9 = n9 - (old.score = 9) + (new.score = 9),
        n10 = n10 - (old.score = 10) + (new.score = 10)
    WHERE guild_id = new.guild_id AND anime_id = new.anime_id AND category = new.category;
    UPDATE rating_show SET
        overall = (
            SELECT avg(total * 0.5 / votes) FROM rating_tally
            WHERE guild_id = new.guild_id AND anime_id = new.anime_id)
    WHERE guild_id = new.guild_id AND anime_id = new.anime_id;
END;

-- A vote's identity never changes (re-rating updates the score); delete and insert instead.
CREATE TRIGGER rating_bu_key BEFORE UPDATE OF guild_id, member_id, anime_id, category ON rating
WHEN old.guild_id IS NOT new.guild_id OR old.member_id IS NOT new.member_id
  OR old.anime_id IS NOT new.anime_id OR old.category IS NOT new.category
BEGIN
    SELECT RAISE (ABORT, 'a rating''s server, member, show and category cannot change');
END;

CREATE TRIGGER rating_ad AFTER DELETE ON rating BEGIN
    UPDATE rating_tally SET
        votes = votes - 1, total = total - old.score,
        n2 = n2 - (old.score = 2), n3 = n3 - (old.score = 3), n4 = n4 - (old.score = 4),
        n5 = n5 - (old.score = 5), n6 = n6 - (old.score = 6), n7 = n7 - (old.score = 7),
        n8 = n8 - (old.score = 8), n9 = n9 - (old.score = 9), n10 = n10 - (old.score = 10)
    WHERE guild_id = old.guild_id AND anime_id = old.anime_id AND category = old.category;
    DELETE FROM rating_tally
    WHERE guild_id = old.guild_id AND anime_id = old.anime_id AND category = old.category AND votes <= 0;
    UPDATE rating_show SET
        voters = voters - NOT EXISTS (
            SELECT 1 FROM rating
            WHERE guild_id = old.guild_id AND member_id = old.member_id AND anime_id = old.anime_id),
        overall = (
            SELECT avg(total * 0.5 / votes) FROM rating_tally
            WHERE guild_id = old.guild_id AND anime_id = old.anime_id)
    WHERE guild_id = old.guild_id AND anime_id = old.anime_id;
    DELETE FROM rating_show WHERE guild_id = old.guild_id AND anime_id = old.anime_id AND voters <= 0;
END;
