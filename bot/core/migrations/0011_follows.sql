-- Followed shows: kansou opens each new episode's thread by itself when AniList's airing schedule says it is out.
-- channel_id: where /follow was used (announcements go to the discussion channel, else there).
CREATE TABLE follow (
    guild_id    INTEGER NOT NULL,
    anime_id    INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL,
    followed_by INTEGER NOT NULL,
    followed_at REAL    NOT NULL,
    PRIMARY KEY (guild_id, anime_id)
);

-- The last airing time (Unix seconds) every followed show's episodes were handled up to: after a restart the
-- schedule is read again from here, so nothing is missed.
CREATE TABLE airing_watermark (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    handled_until INTEGER NOT NULL
);

-- One row per announced (server, show, episode), claimed before the announcement is sent: nothing is doubled.
CREATE TABLE airing_announcement (
    guild_id     INTEGER NOT NULL,
    anime_id     INTEGER NOT NULL,
    episode      INTEGER NOT NULL,
    thread_id    INTEGER,
    announced_at REAL    NOT NULL,
    PRIMARY KEY (guild_id, anime_id, episode)
);
