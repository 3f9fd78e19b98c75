"""Per-server settings (/settings): where reviews and discussions go, reply threads, cooldowns, the leaderboard's m."""
