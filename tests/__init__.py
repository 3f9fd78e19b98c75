"""The test suite (a package, so tests/sandbox/ cannot shadow the top-level sandbox package)."""
