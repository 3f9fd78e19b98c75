"""Domain services: plain dataclasses in and out, the project's own errors, no Discord imports."""
