-- /review read pages through a show's reviews by number (newest first) and counts them: one index range each.
CREATE INDEX review_by_anime_number ON review (guild_id, anime_id, number);
