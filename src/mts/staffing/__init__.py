"""staffing."""
