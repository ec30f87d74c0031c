"""Reporters render findings; they depend on the engine's data, never the reverse."""
