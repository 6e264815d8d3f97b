"""Safety: inspections."""
