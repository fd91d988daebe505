"""Use-cases that touch the database. Each public service commits exactly once (or not at all)."""
