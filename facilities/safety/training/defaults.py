"""Training types shipped as data (German practice; edit the validity to your rules).
Loaded by ``actions.seed_training_types`` (idempotent: the daily safety job and the demo)."""

from __future__ import annotations

# key, English name, German name, validity in months (None: never expires)
TRAINING_TYPES: tuple[tuple[str, str, str, int | None], ...] = (
    ("safety_briefing", "Annual safety briefing", "Jährliche Sicherheitsunterweisung", 12),
    ("first_aid", "First aid", "Erste Hilfe (Ersthelfer)", 24),
    ("fire_warden", "Fire warden", "Brandschutzhelfer", 36),
    ("working_at_height", "Working at height", "Arbeiten in der Höhe", 12),
    ("electrical_safety", "Electrical safety", "Elektrotechnische Unterweisung", 12),
)
