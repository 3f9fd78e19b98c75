"""kansou (感想): spoiler-safe anime reviews, per-category ratings and voice-actor credits for Discord."""

__version__ = "0.1.0"
