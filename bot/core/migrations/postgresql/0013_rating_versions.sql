-- PostgreSQL form of migrations/0013_rating_versions.sql: the same table, kept by PL/pgSQL triggers in the same
-- transaction as every write to the ratings.
--
-- Per statement over the rows it changed (transition tables), as the tally triggers of 0003_ratings.sql: a
-- statement moves each show it touched on by one, however many of its rows it changed. Triggers of one event fire
-- in name order, so these run after rating_ai/rating_au/rating_ad, which already hold each touched show's
-- aggregate row lock (taken in key order): writes to one show take turns here too, and the upsert below cannot
-- wait on another statement in a circle. An update counts only where a score changed (SQLite's WHEN
-- old.score <> new.score; PostgreSQL allows no column list on a trigger with transition tables).

CREATE TABLE rating_version (
    guild_id BIGINT NOT NULL,
    anime_id BIGINT NOT NULL,
    version  BIGINT NOT NULL,
    PRIMARY KEY (guild_id, anime_id)
);

CREATE FUNCTION rating_version_ai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rating_version AS v (guild_id, anime_id, version)
    SELECT DISTINCT guild_id, anime_id, 1 FROM new_rows ORDER BY 1, 2
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_version_ai AFTER INSERT ON rating REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_version_ai();

CREATE FUNCTION rating_version_au() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rating_version AS v (guild_id, anime_id, version)
    SELECT DISTINCT n.guild_id, n.anime_id, 1
    FROM new_rows n JOIN old_rows o USING (guild_id, member_id, anime_id, category)
    WHERE n.score <> o.score
    ORDER BY 1, 2
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_version_au AFTER UPDATE ON rating REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_version_au();

CREATE FUNCTION rating_version_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rating_version AS v (guild_id, anime_id, version)
    SELECT DISTINCT guild_id, anime_id, 1 FROM old_rows ORDER BY 1, 2
    ON CONFLICT (guild_id, anime_id) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER rating_version_ad AFTER DELETE ON rating REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION rating_version_ad();
