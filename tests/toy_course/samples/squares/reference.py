"""Reference: every answer cell holds the source notebook's own solution."""
