"""Interop tests: botkit against independent peers from npm (Baileys, libsignal)."""
