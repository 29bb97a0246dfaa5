"""botkit.bot (see ARCHITECTURE.md); grows with later issues."""

__all__: list[str] = []
