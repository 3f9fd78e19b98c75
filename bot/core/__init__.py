"""The shared core: the database, migrations, backups, text safety and what every feature uses (no discord import)."""
