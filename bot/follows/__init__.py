"""Followed shows: each new episode's thread opened and announced once, from AniList's airing schedule."""
