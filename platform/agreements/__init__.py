"""The NDA gate: versioned agreements, frozen once published, and who accepted which."""
