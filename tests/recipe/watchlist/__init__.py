"""A feature written by CONTRIBUTING.md's recipe, for the test that follows it: a member's watchlist."""
