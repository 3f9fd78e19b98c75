"""The Discord side shared by every cog: the client, the central error handler, views, sending, options."""
