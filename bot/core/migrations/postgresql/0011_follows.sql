-- PostgreSQL form of migrations/0011_follows.sql.

CREATE TABLE follow (
    guild_id    BIGINT NOT NULL,
    anime_id    BIGINT NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    channel_id  BIGINT NOT NULL,
    followed_by BIGINT NOT NULL,
    followed_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, anime_id)
);

-- One row (id 1), written with its id; not an identity.
CREATE TABLE airing_watermark (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    handled_until BIGINT NOT NULL
);

CREATE TABLE airing_announcement (
    guild_id     BIGINT NOT NULL,
    anime_id     BIGINT NOT NULL,
    episode      BIGINT NOT NULL,
    thread_id    BIGINT,
    announced_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, anime_id, episode)
);
