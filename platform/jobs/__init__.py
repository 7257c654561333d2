"""Generation jobs: submit, queue, run on a GPU worker, progress, cancel, recovery.

The Django side of generation. The GPU side (pipelines, encoding) is the top-level
``generation`` package, which imports nothing from Django.
"""
