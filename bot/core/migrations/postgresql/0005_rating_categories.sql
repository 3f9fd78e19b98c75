-- PostgreSQL form of migrations/0005_rating_categories.sql: categories become data (rows of rating_category; guild 0's
-- rows are every server's defaults), and the vote table loses the CHECKs on category and score. PostgreSQL can
-- drop a constraint in place, so there is no rebuild and the triggers stay as they are.

CREATE TABLE rating_category (
    guild_id   BIGINT NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    label      TEXT COLLATE "C" NOT NULL,
    position   BIGINT NOT NULL,
    created_at DOUBLE PRECISION,
    retired_at DOUBLE PRECISION,
    PRIMARY KEY (guild_id, key)
);

INSERT INTO rating_category (guild_id, key, label, position) VALUES
    (0, 'animation', 'Animation', 1),
    (0, 'voice_acting', 'Voice Acting', 2),
    (0, 'music', 'Music', 3),
    (0, 'writing', 'Writing', 4),
    (0, 'story', 'Story', 5);

ALTER TABLE rating DROP CONSTRAINT rating_category_check, DROP CONSTRAINT rating_score_check;
