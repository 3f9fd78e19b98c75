"""Every GraphQL document the AniList client sends is valid against AniList's published schema."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, parse, validate

from bot.anilist import queries
from bot.anilist.queries import ALL_QUERIES
from bot.anilist.schema import SCHEMA_FILE, SCHEMA_SHA256, schema_sdl


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(schema_sdl())


def test_the_schema_ships_in_the_package_as_copied() -> None:
    packaged = resources.files("bot.anilist").joinpath(SCHEMA_FILE)
    assert packaged.is_file()
    assert hashlib.sha256(packaged.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_the_schema_has_anilists_roots(schema: GraphQLSchema) -> None:
    assert schema.query_type is not None and schema.query_type.name == "Query"
    assert schema.mutation_type is not None
    assert {"Media", "Character", "Staff", "Page"} <= set(schema.type_map)


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
    assert len(ALL_QUERIES) == 7


def test_a_typo_would_be_caught(schema: GraphQLSchema) -> None:
    broken = ALL_QUERIES["FetchAnime"].replace("seasonYear", "seasonYeer")
    assert [e.message for e in validate(schema, parse(broken))]


@pytest.mark.parametrize("name", sorted(ALL_QUERIES))
def test_no_query_asks_for_spoiler_names(name: str) -> None:
    assert "alternativeSpoiler" not in ALL_QUERIES[name]
