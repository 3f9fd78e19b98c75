"""Credits and the catalogue: shows, people, characters, who did what, and finding them by name."""
