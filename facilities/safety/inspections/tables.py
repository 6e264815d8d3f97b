"""Tables of safety inspections (none yet)."""
