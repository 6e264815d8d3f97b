"""Safety: incidents."""
