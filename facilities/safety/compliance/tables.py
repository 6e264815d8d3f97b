"""Tables of safety compliance (none yet)."""
