"""merit."""
