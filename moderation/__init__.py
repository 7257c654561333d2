"""The review queue: every output waits for a staff decision (claim, approve or reject with
a reason), artists may appeal once, and a different reviewer decides the appeal."""
