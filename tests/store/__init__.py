"""Tests of botkit.store."""
