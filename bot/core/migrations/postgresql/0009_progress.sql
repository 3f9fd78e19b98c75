-- PostgreSQL form of migrations/0009_progress.sql.

CREATE TABLE progress (
    guild_id   BIGINT NOT NULL,
    member_id  BIGINT NOT NULL,
    anime_id   BIGINT NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    episode    BIGINT NOT NULL CHECK (episode >= 0),
    finished   SMALLINT NOT NULL CHECK (finished IN (0, 1)),
    updated_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, member_id, anime_id)
);

CREATE TABLE progress_visibility (
    guild_id  BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    visible   SMALLINT NOT NULL CHECK (visible IN (0, 1)),
    PRIMARY KEY (guild_id, member_id)
);
