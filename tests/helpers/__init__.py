"""Helpers shared by several test modules (pytest puts tests/ on the path: pyproject.toml)."""
