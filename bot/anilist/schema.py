"""AniList's published GraphQL schema (SDL), shipped with kansou so queries can be checked offline.

``schema.graphql`` beside this module is AniList's public API schema (https://graphql.anilist.co), copied
verbatim from the GitHub repository ``IchBinLeoon/anisearch-discord-bot``, path
``anisearch-bot/src/clients/anilist/queries/schema.graphql``, as of commit
cdcdd6260055206c72fc573c19f58b310eb1e005 (2025-07-08; git blob 846c53f6). graphql-core parses it unmodified
(192 types, ``Query`` and ``Mutation`` roots). The tests validate every query in :mod:`.queries` against it
and the fake AniList server executes requests with it; it is read as package data, so it is found wherever
kansou is installed or checked out, and nothing outside the package is needed.
"""

from __future__ import annotations

from importlib import resources

SCHEMA_FILE = "schema.graphql"
SCHEMA_SHA256 = "02a4879791481a474767f4eddaa03922051c0b347ddf384a04f441fde8b2a38b"
"""The digest of the file as copied (a test checks it, so an edit is deliberate and documented)."""


def schema_sdl() -> str:
    """The text of AniList's schema, read from the installed package."""
    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
