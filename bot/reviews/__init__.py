"""Reviews: spoiler-safe reviews, one per member per show per server."""
