"""Every GraphQL document the AniList client sends is valid against AniList's published schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from bot.services.anilist import queries
from bot.services.anilist.queries import ALL_QUERIES

# tests/bot/services/ → the repository → ../shared (also where CI's fresh clone finds it).
SCHEMA_PATH = Path(__file__).resolve().parents[3] / ".." / "shared" / "anilist" / "schema.graphql"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    assert SCHEMA_PATH.is_file(), f"AniList schema not found at {SCHEMA_PATH.resolve()}"
    return build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_query_is_valid_against_anilist_schema(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(ALL_QUERIES[name]))
    assert not errors, [e.message for e in errors]


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_query_has_one_operation_named_like_its_key(name: str) -> None:
    operations = [d for d in parse(ALL_QUERIES[name]).definitions if isinstance(d, OperationDefinitionNode)]
    assert len(operations) == 1
    assert operations[0].name is not None and operations[0].name.value == name


def test_every_query_constant_is_listed() -> None:
    constants = {
        value for attr, value in vars(queries).items()
        if attr.isupper() and isinstance(value, str) and re.search(r"^\s*query\s", value, re.MULTILINE)
    }
    assert constants == set(ALL_QUERIES.values())
    assert len(ALL_QUERIES) == 5


def test_a_typo_would_be_caught(schema: GraphQLSchema) -> None:
    broken = ALL_QUERIES["FetchAnime"].replace("seasonYear", "seasonYeer")
    assert [e.message for e in validate(schema, parse(broken))]


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_no_query_asks_for_spoiler_names(name: str) -> None:
    assert "alternativeSpoiler" not in ALL_QUERIES[name]
