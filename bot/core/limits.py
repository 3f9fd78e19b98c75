"""Discord's limits, written once. Lengths count UTF-16 code units (see :func:`bot.core.markdown.discord_len`)."""

from __future__ import annotations

from typing import Final

# Messages and embeds
CONTENT: Final = 2000
EMBEDS_PER_MESSAGE: Final = 10
EMBED_TOTAL: Final = 6000  # title, description, field names and values, footer and author name of a message
EMBED_TITLE: Final = 256
EMBED_DESCRIPTION: Final = 4096
EMBED_FIELDS: Final = 25
FIELD_NAME: Final = 256
FIELD_VALUE: Final = 1024
FOOTER: Final = 2048
AUTHOR_NAME: Final = 256

# Application commands
CHOICES: Final = 25  # autocomplete suggestions, and the choices of an option
CHOICE_NAME: Final = 100
CHOICE_VALUE: Final = 100

# Components
CUSTOM_ID: Final = 100
ACTION_ROWS: Final = 5  # in a message without the Components V2 flag
COMPONENTS_V2: Final = 40  # every component of a Components V2 message, nested ones included
TEXT_DISPLAY: Final = 4000  # the text of all text displays of a message, together
SELECT_OPTIONS: Final = 25
SELECT_OPTION_LABEL: Final = 100
SELECT_PLACEHOLDER: Final = 150
BUTTON_LABEL: Final = 80

# Modals
MODAL_TITLE: Final = 45
MODAL_ITEMS: Final = 5
LABEL_TEXT: Final = 45
LABEL_DESCRIPTION: Final = 100
TEXT_INPUT: Final = 4000
