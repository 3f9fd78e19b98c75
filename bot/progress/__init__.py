"""Watching progress: how far each member has watched each show, per server, guarding them from spoilers."""
