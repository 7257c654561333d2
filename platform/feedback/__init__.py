"""Feedback, bug reports, safety findings, feature requests and surveys, with a triage
board whose every status change the reporter sees."""
