"""Discussion threads: one per show and episode in a server, and reply threads under review posts."""
