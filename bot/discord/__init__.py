"""The Discord adapter: discord.py's client and HTTP API on one side, our messages on the other.

``translate`` is pure (splitting, rendering, routing); ``adapter`` turns gateway events into
service calls and catches up after downtime; ``sender`` delivers the outbox; ``platform`` wires
them into ``intake serve``. The ``discord`` SDK is imported nowhere else in the project.
"""
