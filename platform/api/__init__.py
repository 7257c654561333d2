"""The REST API's shared parts: URL map, permissions, error format, the `me` endpoint."""
