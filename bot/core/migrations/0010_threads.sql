-- Discussion threads. One episode thread per (server, show, episode): the row is claimed (with a random token)
-- before the thread is created on Discord, so two requests at once — even from two processes — create one
-- thread; thread_id is NULL while the claimant creates it. A thread deleted by a moderator is claimed again.
CREATE TABLE episode_thread (
    guild_id   INTEGER NOT NULL,
    anime_id   INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    episode    INTEGER NOT NULL CHECK (episode > 0),
    channel_id INTEGER NOT NULL,
    thread_id  INTEGER,
    claim      TEXT    NOT NULL,
    claimed_at REAL    NOT NULL,
    PRIMARY KEY (guild_id, anime_id, episode)
);

-- The reply thread of a review post. No foreign key: the row outlives its review, so that deleting the review
-- can still archive and lock the thread.
CREATE TABLE review_thread (
    review_id  INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL
);
