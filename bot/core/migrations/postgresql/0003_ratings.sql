-- PostgreSQL form of migrations/0003_ratings.sql: the same tables and the same two aggregates, kept by PL/pgSQL triggers
-- in the same transaction as every vote.
--
-- Many connections (and processes) may vote at once, so each trigger first takes the aggregate row lock of every
-- show it touches (rating_show, per server and show; in key order): votes on one show, whatever their category,
-- take turns from there on, and each reads the tallies and the show's other votes only after the previous
-- holder committed (every statement of a PL/pgSQL function reads a fresh snapshot).
--
-- The triggers are per statement, over the rows it changed (transition tables), not per row as on SQLite: one
-- PostgreSQL statement changes all its rows before any AFTER trigger runs, so a per-row trigger deleting a
-- member's two votes would see neither and count the member gone twice.

CREATE TABLE rating (
    guild_id  BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    anime_id  BIGINT NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    category  TEXT COLLATE "C" NOT NULL
              CONSTRAINT rating_category_check
              CHECK (category IN ('animation', 'voice_acting', 'music', 'writing', 'story')),
    score     BIGINT NOT NULL CONSTRAINT rating_score_check CHECK (score BETWEEN 2 AND 10),
    rated_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, member_id, anime_id, category)
);

CREATE TABLE rating_tally (
    guild_id BIGINT NOT NULL,
    anime_id BIGINT NOT NULL,
    category TEXT COLLATE "C" NOT NULL,
    votes    BIGINT NOT NULL,
    total    BIGINT NOT NULL,
    n2       BIGINT NOT NULL DEFAULT 0,
    n3       BIGINT NOT NULL DEFAULT 0,
    n4       BIGINT NOT NULL DEFAULT 0,
    n5       BIGINT NOT NULL DEFAULT 0,
    n6       BIGINT NOT NULL DEFAULT 0,
    n7       BIGINT NOT NULL DEFAULT 0,
    n8       BIGINT NOT NULL DEFAULT 0,
    n9       BIGINT NOT NULL DEFAULT 0,
    n10       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, anime_id, category)
);
CREATE INDEX rating_tally_board ON rating_tally (guild_id, category, votes, total);

CREATE TABLE rating_show (
    guild_id BIGINT NOT NULL,
    anime_id BIGINT NOT NULL,
    voters   BIGINT NOT NULL DEFAULT 0,
    overall  DOUBLE PRECISION,
    PRIMARY KEY (guild_id, anime_id)
);

-- Lock (creating it if needed) the aggregate row of a show in a server. A row deleted by a vote that committed
-- while we waited is made again.
CREATE FUNCTION rating_lock_show(g BIGINT, a BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOOP
        INSERT INTO rating_show (guild_id, anime_id) VALUES (g, a) ON CONFLICT DO NOTHING;
        PERFORM 1 FROM rating_show WHERE guild_id = g AND anime_id = a FOR UPDATE;
        EXIT WHEN FOUND;
    END LOOP;
END;
$$;

-- The mean of a show's category averages, in floating point as on SQLite.
CREATE FUNCTION rating_overall(g BIGINT, a BIGINT) RETURNS DOUBLE PRECISION LANGUAGE sql STABLE AS $$
    SELECT avg(total * 0.5::double precision / votes) FROM rating_tally WHERE guild_id = g AND anime_id = a;
$$;

CREATE FUNCTION rating_ai() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
    a BIGINT;
BEGIN
    -- The shows' aggregate rows first, in key order (two statements never wait on each other in a circle).
    FOR g, a IN SELECT DISTINCT guild_id, anime_id FROM new_rows ORDER BY 1, 2 LOOP
        PERFORM rating_lock_show(g, a);
    END LOOP;
    INSERT INTO rating_tally AS t (guild_id, anime_id, category, votes, total, n2, n3, n4, n5, n6, n7, n8, n9, n10)
    SELECT guild_id, anime_id, category, count(*), sum(score), sum((score = 2)::int), sum((score = 3)::int), sum((score = 4)::int), sum((score = 5)::int), sum((score = 6)::int), sum((score = 7)::int), sum((score = 8)::int), sum((score = 9)::int), sum((score = 10)::int)
    FROM new_rows GROUP BY guild_id, anime_id, category
    ON CONFLICT (guild_id, anime_id, category) DO UPDATE SET
        votes = t.votes + excluded.votes, total = t.total + excluded.total,
        n2 = t.n2 + excluded.n2,
        n3 = t.n3 + excluded.n3,
        n4 = t.n4 + excluded.n4,
        n5 = t.n5 + excluded.n5,
        n6 = t.n6 + excluded.n6,
        n7 = t.n7 + excluded.n7,
        n8 = t.n8 + excluded.n8,
        n9 = t.n9 + excluded.n9,
        n10 = t.n10 + excluded.n10;
    -- A member is a new voter for a show when all their votes on it are new.
    UPDATE rating_show s SET voters = s.voters + d.added
    FROM (
        SELECT m.guild_id, m.anime_id, count(*) AS added
        FROM (SELECT guild_id, anime_id, member_id, count(*) AS k FROM new_rows GROUP BY 1, 2, 3) m
        WHERE (SELECT count(*) FROM rating r
               WHERE r.guild_id = m.guild_id AND r.member_id = m.member_id AND r.anime_id = m.anime_id) = m.k
        GROUP BY 1, 2
    ) d
    WHERE s.guild_id = d.guild_id AND s.anime_id = d.anime_id;
    UPDATE rating_show s SET overall = rating_overall(s.guild_id, s.anime_id)
    WHERE (s.guild_id, s.anime_id) IN (SELECT guild_id, anime_id FROM new_rows);
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_ai AFTER INSERT ON rating REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_ai();

CREATE FUNCTION rating_au() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
    a BIGINT;
BEGIN
    -- The shows' aggregate rows first, in key order (two statements never wait on each other in a circle).
    FOR g, a IN SELECT DISTINCT guild_id, anime_id FROM new_rows ORDER BY 1, 2 LOOP
        PERFORM rating_lock_show(g, a);
    END LOOP;
    UPDATE rating_tally t SET
        total = t.total + d.dt,
        n2 = t.n2 + d.d2,
        n3 = t.n3 + d.d3,
        n4 = t.n4 + d.d4,
        n5 = t.n5 + d.d5,
        n6 = t.n6 + d.d6,
        n7 = t.n7 + d.d7,
        n8 = t.n8 + d.d8,
        n9 = t.n9 + d.d9,
        n10 = t.n10 + d.d10
    FROM (
        SELECT n.guild_id, n.anime_id, n.category, sum(n.score - o.score) AS dt, sum((n.score = 2)::int - (o.score = 2)::int) AS d2, sum((n.score = 3)::int - (o.score = 3)::int) AS d3, sum((n.score = 4)::int - (o.score = 4)::int) AS d4, sum((n.score = 5)::int - (o.score = 5)::int) AS d5, sum((n.score = 6)::int - (o.score = 6)::int) AS d6, sum((n.score = 7)::int - (o.score = 7)::int) AS d7, sum((n.score = 8)::int - (o.score = 8)::int) AS d8, sum((n.score = 9)::int - (o.score = 9)::int) AS d9, sum((n.score = 10)::int - (o.score = 10)::int) AS d10
        FROM new_rows n JOIN old_rows o USING (guild_id, member_id, anime_id, category)
        GROUP BY 1, 2, 3
    ) d
    WHERE t.guild_id = d.guild_id AND t.anime_id = d.anime_id AND t.category = d.category;
    UPDATE rating_show s SET overall = rating_overall(s.guild_id, s.anime_id)
    WHERE (s.guild_id, s.anime_id) IN (SELECT guild_id, anime_id FROM new_rows);
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_au AFTER UPDATE ON rating REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_au();

-- A vote's identity never changes (re-rating updates the score); delete and insert instead.
CREATE FUNCTION rating_bu_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a rating''s server, member, show and category cannot change'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER rating_bu_key BEFORE UPDATE OF guild_id, member_id, anime_id, category ON rating
FOR EACH ROW WHEN (OLD.guild_id IS DISTINCT FROM NEW.guild_id OR OLD.member_id IS DISTINCT FROM NEW.member_id
    OR OLD.anime_id IS DISTINCT FROM NEW.anime_id OR OLD.category IS DISTINCT FROM NEW.category)
EXECUTE FUNCTION rating_bu_key();

CREATE FUNCTION rating_ad() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g BIGINT;
    a BIGINT;
BEGIN
    -- The shows' aggregate rows first, in key order (two statements never wait on each other in a circle).
    FOR g, a IN SELECT DISTINCT guild_id, anime_id FROM old_rows ORDER BY 1, 2 LOOP
        PERFORM rating_lock_show(g, a);
    END LOOP;
    UPDATE rating_tally t SET
        votes = t.votes - d.k, total = t.total - d.s,
        n2 = t.n2 - d.d2,
        n3 = t.n3 - d.d3,
        n4 = t.n4 - d.d4,
        n5 = t.n5 - d.d5,
        n6 = t.n6 - d.d6,
        n7 = t.n7 - d.d7,
        n8 = t.n8 - d.d8,
        n9 = t.n9 - d.d9,
        n10 = t.n10 - d.d10
    FROM (
        SELECT guild_id, anime_id, category, count(*) AS k, sum(score) AS s, sum((score = 2)::int) AS d2, sum((score = 3)::int) AS d3, sum((score = 4)::int) AS d4, sum((score = 5)::int) AS d5, sum((score = 6)::int) AS d6, sum((score = 7)::int) AS d7, sum((score = 8)::int) AS d8, sum((score = 9)::int) AS d9, sum((score = 10)::int) AS d10
        FROM old_rows GROUP BY 1, 2, 3
    ) d
    WHERE t.guild_id = d.guild_id AND t.anime_id = d.anime_id AND t.category = d.category;
    DELETE FROM rating_tally
    WHERE votes <= 0 AND (guild_id, anime_id) IN (SELECT guild_id, anime_id FROM old_rows);
    -- A member stops being a voter for a show when none of their votes on it is left.
    UPDATE rating_show s SET voters = s.voters - d.gone
    FROM (
        SELECT m.guild_id, m.anime_id, count(*) AS gone
        FROM (SELECT DISTINCT guild_id, anime_id, member_id FROM old_rows) m
        WHERE NOT EXISTS (SELECT 1 FROM rating r
                          WHERE r.guild_id = m.guild_id AND r.member_id = m.member_id AND r.anime_id = m.anime_id)
        GROUP BY 1, 2
    ) d
    WHERE s.guild_id = d.guild_id AND s.anime_id = d.anime_id;
    UPDATE rating_show s SET overall = rating_overall(s.guild_id, s.anime_id)
    WHERE (s.guild_id, s.anime_id) IN (SELECT guild_id, anime_id FROM old_rows);
    DELETE FROM rating_show
    WHERE voters <= 0 AND (guild_id, anime_id) IN (SELECT guild_id, anime_id FROM old_rows);
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_ad AFTER DELETE ON rating REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_ad();
