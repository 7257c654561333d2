"""People: the custom user model and the three roles (artist, reviewer, program admin)."""
