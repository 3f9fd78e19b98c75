-- PostgreSQL form of migrations/0010_threads.sql.

CREATE TABLE episode_thread (
    guild_id   BIGINT NOT NULL,
    anime_id   BIGINT NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    episode    BIGINT NOT NULL CHECK (episode > 0),
    channel_id BIGINT NOT NULL,
    thread_id  BIGINT,
    claim      TEXT COLLATE "C" NOT NULL,
    claimed_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (guild_id, anime_id, episode)
);

-- review_id is the review's id, given by the store (SQLite's INTEGER PRIMARY KEY is never left to pick it), so it
-- is a plain key here, not an identity.
CREATE TABLE review_thread (
    review_id  BIGINT PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    thread_id  BIGINT NOT NULL
);
