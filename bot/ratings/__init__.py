"""Ratings: per-category scores per server, their tallies, leaderboards and chart."""
