"""Cohorts: waves of invited artists, each with its own cap, quotas and pause switch."""
