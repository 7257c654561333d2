"""Invitations: the only way in. Single use, expiring, revocable; the secret is stored hashed."""
