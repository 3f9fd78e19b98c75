"""Every GraphQL document kansou sends to AniList, one module-level constant each.

``ALL_QUERIES`` maps each document's operation name to its text, so a test can validate all of them against
AniList's schema (``schema.graphql`` in this package, see :mod:`.schema`) and a typo in a field name fails in
CI, not in chat.

Nested lists (a show's characters and staff, a person's roles) are fetched 25 per page, AniList's maximum for
nested connections. The ``$with*`` variables drop a list from later pages once it has been read to its end, so
a show with 40 characters and 60 staff costs three requests, not five.
"""

from __future__ import annotations

PER_PAGE = 25
"""Items per page of a nested connection (AniList caps these at 25)."""

_NAME = "name { full native alternative }"
"""Names only: ``alternativeSpoiler`` is never asked for, this is a spoiler-safe bot."""

_TITLES = "title { romaji english native }"

_MEDIA_FIELDS = f"""
fragment MediaFields on Media {{
  id
  type
  {_TITLES}
  synonyms
  format
  episodes
  seasonYear
  startDate {{ year }}
  studios(isMain: true) {{ edges {{ isMain node {{ id name }} }} }}
}}
"""

_VOICE_ROLE = f"roleNotes dubGroup voiceActor {{ id {_NAME} }}"

SEARCH_ANIME = f"""
query SearchAnime($search: String!, $perPage: Int!) {{
  Page(page: 1, perPage: $perPage) {{
    media(search: $search, type: ANIME, sort: [SEARCH_MATCH], isAdult: false) {{
      id
      {_TITLES}
      format
      episodes
      seasonYear
      startDate {{ year }}
    }}
  }}
}}
"""

FETCH_ANIME = f"""
query FetchAnime(
  $id: Int!
  $characterPage: Int!
  $staffPage: Int!
  $withCharacters: Boolean!
  $withStaff: Boolean!
) {{
  Media(id: $id, type: ANIME) {{
    ...MediaFields
    characters(page: $characterPage, perPage: {PER_PAGE}, sort: [ROLE, RELEVANCE, ID])
      @include(if: $withCharacters) {{
      pageInfo {{ hasNextPage }}
      edges {{
        role
        node {{ id {_NAME} }}
        japanese: voiceActorRoles(language: JAPANESE, sort: [RELEVANCE, ID]) {{ {_VOICE_ROLE} }}
        english: voiceActorRoles(language: ENGLISH, sort: [RELEVANCE, ID]) {{ {_VOICE_ROLE} }}
      }}
    }}
    staff(page: $staffPage, perPage: {PER_PAGE}, sort: [RELEVANCE, ID]) @include(if: $withStaff) {{
      pageInfo {{ hasNextPage }}
      edges {{
        role
        node {{ id {_NAME} }}
      }}
    }}
  }}
}}
{_MEDIA_FIELDS}"""

FETCH_PERSON = f"""
query FetchPerson(
  $id: Int!
  $characterPage: Int!
  $staffPage: Int!
  $withCharacters: Boolean!
  $withStaff: Boolean!
) {{
  Staff(id: $id) {{
    id
    {_NAME}
    languageV2
    characterMedia(page: $characterPage, perPage: {PER_PAGE}, sort: [START_DATE_DESC])
      @include(if: $withCharacters) {{
      pageInfo {{ hasNextPage }}
      edges {{
        characterRole
        roleNotes
        dubGroup
        node {{ ...MediaFields }}
        characters {{ id {_NAME} }}
      }}
    }}
    staffMedia(page: $staffPage, perPage: {PER_PAGE}, sort: [START_DATE_DESC], type: ANIME)
      @include(if: $withStaff) {{
      pageInfo {{ hasNextPage }}
      edges {{
        staffRole
        node {{ ...MediaFields }}
      }}
    }}
  }}
}}
{_MEDIA_FIELDS}"""

SEARCH_CHARACTER = f"""
query SearchCharacter($search: String!, $perPage: Int!) {{
  Page(page: 1, perPage: $perPage) {{
    characters(search: $search, sort: [SEARCH_MATCH]) {{
      id
      {_NAME}
      media(type: ANIME, page: 1, perPage: 5, sort: [POPULARITY_DESC]) {{
        nodes {{
          id
          {_TITLES}
          format
          seasonYear
          startDate {{ year }}
        }}
      }}
    }}
  }}
}}
"""

SEARCH_STAFF = f"""
query SearchStaff($search: String!, $perPage: Int!) {{
  Page(page: 1, perPage: $perPage) {{
    staff(search: $search, sort: [SEARCH_MATCH]) {{
      id
      {_NAME}
      languageV2
      primaryOccupations
    }}
  }}
}}
"""

AIRING_PER_PAGE = 50
"""Airing schedule entries per page (AniList's maximum for a top-level page)."""

AIRING_SCHEDULE = """
query AiringSchedule($page: Int!, $perPage: Int!, $ids: [Int]!, $after: Int!, $before: Int!) {
  Page(page: $page, perPage: $perPage) {
    airingSchedules(mediaId_in: $ids, airingAt_greater: $after, airingAt_lesser: $before, sort: [TIME, MEDIA_ID]) {
      id
      airingAt
      episode
      mediaId
    }
    pageInfo { hasNextPage }
  }
}
"""

SEASON_TITLES = f"""
query SeasonTitles($season: MediaSeason!, $seasonYear: Int!, $page: Int!, $perPage: Int!) {{
  Page(page: $page, perPage: $perPage) {{
    media(season: $season, seasonYear: $seasonYear, type: ANIME, sort: [POPULARITY_DESC, ID], isAdult: false) {{
      id
      {_TITLES}
      format
      episodes
      seasonYear
      startDate {{ year }}
    }}
    pageInfo {{ hasNextPage }}
  }}
}}
"""

ALL_QUERIES: dict[str, str] = {
    "SearchAnime": SEARCH_ANIME,
    "FetchAnime": FETCH_ANIME,
    "FetchPerson": FETCH_PERSON,
    "SearchCharacter": SEARCH_CHARACTER,
    "SearchStaff": SEARCH_STAFF,
    "AiringSchedule": AIRING_SCHEDULE,
    "SeasonTitles": SEASON_TITLES,
}
"""Operation name → document; the client sends only these."""
