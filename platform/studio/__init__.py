"""The artist's studio: the generation pages (`/generations/…`) and the job API
(`/api/v1/generations/…`), and the one-statement status fast path beside them. They show
a job with what other apps know of it (its review, its publication, whether it may be
downloaded), so they sit above `jobs`, `moderation` and `publishing`; `jobs` itself holds
the job's rules, its state machine and the worker."""
