-- The watchlist: the shows a member means to watch, per server.
CREATE TABLE watchlist (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    anime_id  INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    PRIMARY KEY (guild_id, member_id, anime_id)
);
