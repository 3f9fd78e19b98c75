-- Per-server settings (/settings): one row per server that changed any; NULL means "the global default"
-- (from the environment, see bot/config.py). Each change is logged with who made it, when, and old → new.

CREATE TABLE server_settings (
    guild_id              INTEGER PRIMARY KEY,
    reviews_channel_id    INTEGER,
    discussion_channel_id INTEGER,
    reply_threads         INTEGER CHECK (reply_threads IS NULL OR reply_threads IN (0, 1)),
    review_cooldown       REAL    CHECK (review_cooldown IS NULL OR (review_cooldown >= 0 AND review_cooldown <= 3600)),
    rate_cooldown         REAL    CHECK (rate_cooldown IS NULL OR (rate_cooldown >= 0 AND rate_cooldown <= 3600)),
    leaderboard_m         INTEGER CHECK (leaderboard_m IS NULL OR (leaderboard_m >= 0 AND leaderboard_m <= 100))
);

CREATE TABLE server_settings_change (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    old_value  TEXT    NOT NULL,
    new_value  TEXT    NOT NULL,
    changed_at REAL    NOT NULL
);
CREATE INDEX server_settings_change_by_guild ON server_settings_change (guild_id, changed_at DESC, id DESC);
