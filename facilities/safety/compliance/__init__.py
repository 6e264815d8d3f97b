"""Safety: compliance."""
