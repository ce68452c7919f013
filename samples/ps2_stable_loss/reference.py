"""Reference: every answer cell as in the source notebook's solution."""
