"""Tables of safety training (none yet)."""
