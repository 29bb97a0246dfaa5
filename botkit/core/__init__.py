"""botkit.core: the sans-IO protocol layer.

Nothing here performs I/O, reads a clock or draws randomness: bytes go in, typed events come out,
bytes to send come back, and time and random bytes are parameters.
"""

__all__: list[str] = []
