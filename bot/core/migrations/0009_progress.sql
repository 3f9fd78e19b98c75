-- Watching progress, per server (like ratings and reviews: one server never sees another's): how far a member
-- has watched a show (episode reached; finished). Private unless the member makes theirs visible to the server.

CREATE TABLE progress (
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    anime_id   INTEGER NOT NULL REFERENCES anime (id) ON DELETE CASCADE,
    episode    INTEGER NOT NULL CHECK (episode >= 0),
    finished   INTEGER NOT NULL CHECK (finished IN (0, 1)),
    updated_at REAL    NOT NULL,
    PRIMARY KEY (guild_id, member_id, anime_id)
);

-- A member's choice to show their progress to the server (no row: private).
CREATE TABLE progress_visibility (
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    visible   INTEGER NOT NULL CHECK (visible IN (0, 1)),
    PRIMARY KEY (guild_id, member_id)
);
