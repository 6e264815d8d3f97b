"""Tables of safety incidents (none yet)."""
