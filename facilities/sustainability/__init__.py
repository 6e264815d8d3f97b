"""Sustainability: meters, readings and bills, calendarised consumption, emission factors,
Scope 1 and 2 CO2e, intensities. Reads from sites and assets; nothing below imports it."""
