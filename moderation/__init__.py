"""The review queue: claims, decisions with reasons, appeals. Built in issue 4."""
