-- Per-category ratings: one score per (server, member, show, category), kept in half points ×2
-- (1 → 2, 1.5 → 3, …, 5 → 10) so every score is an exact integer.
--
-- Two aggregates are maintained by the triggers below, inside the same transaction as every vote,
-- whoever writes the `rating` table:
--   rating_tally  per (server, show, category): votes, the sum of stored scores and how many votes each
--                 score got (n2 = votes of 1, n3 = votes of 1.5, …, n10 = votes of 5). A show's tally is a
--                 primary-key range read of at most five rows.
--   rating_show   per (server, show): voters (distinct members with at least one score) and overall (the
--                 mean of the show's category averages, on the 1–5 scale), for the overall leaderboard.
-- Rows with no votes are deleted, so every aggregate row has votes >= 1 (and voters >= 1).

CREATE TABLE rating (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    anime_id  INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    category  TEXT    NOT NULL CHECK (category IN ('animation', 'voice_acting', 'music', 'writing', 'story')),
    score     INTEGER NOT NULL CHECK (score BETWEEN 2 AND 10),
    rated_at  REAL    NOT NULL,
    PRIMARY KEY (guild_id, member_id, anime_id, category)
) WITHOUT ROWID;

CREATE TABLE rating_tally (
    guild_id INTEGER NOT NULL,
    anime_id INTEGER NOT NULL,
    category TEXT    NOT NULL,
    votes    INTEGER NOT NULL,
    total    INTEGER NOT NULL,
    n2       INTEGER NOT NULL DEFAULT 0,
    n3       INTEGER NOT NULL DEFAULT 0,
    n4       INTEGER NOT NULL DEFAULT 0,
    n5       INTEGER NOT NULL DEFAULT 0,
    n6       INTEGER NOT NULL DEFAULT 0,
    n7       INTEGER NOT NULL DEFAULT 0,
    n8       INTEGER NOT NULL DEFAULT 0,
    n9       INTEGER NOT NULL DEFAULT 0,
    n10      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, anime_id, category)
) WITHOUT ROWID;
-- A category's leaderboard: a covering range scan over one server's rows of that category.
CREATE INDEX rating_tally_board ON rating_tally (guild_id, category, votes, total);

CREATE TABLE rating_show (
    guild_id INTEGER NOT NULL,
    anime_id INTEGER NOT NULL,
    voters   INTEGER NOT NULL DEFAULT 0,
    overall  REAL,
    PRIMARY KEY (guild_id, anime_id)
) WITHOUT ROWID;

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
