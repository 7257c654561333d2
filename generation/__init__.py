"""The GPU side: pipelines, encoding, watermarking. Imports nothing from Django, so it can
be tested and benchmarked on its own (see docs/architecture.md). Built in issue 3."""
