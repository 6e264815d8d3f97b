"""Certificate and statutory check types shipped as data (German practice; edit the
intervals to your rules). Loaded by ``actions.seed_certificate_types`` (idempotent: the
daily safety job and the demo call it)."""

from __future__ import annotations

# key, English name, German name, usual interval in months, applies to
CERTIFICATE_TYPES: tuple[tuple[str, str, str, int, str], ...] = (
    (
        "portable_electrical",
        "Portable electrical equipment test (DGUV V3)",
        "Prüfung ortsveränderlicher elektrischer Betriebsmittel (DGUV V3)",
        24,
        "site",
    ),
    (
        "fixed_electrical",
        "Fixed electrical installation inspection",
        "Prüfung der ortsfesten elektrischen Anlage",
        48,
        "site",
    ),
    (
        "fire_extinguishers",
        "Fire extinguisher service",
        "Prüfung der Feuerlöscher",
        24,
        "site",
    ),
    (
        "lift",
        "Lift periodic inspection",
        "Wiederkehrende Prüfung der Aufzugsanlage",
        24,
        "asset",
    ),
    (
        "gas_boiler",
        "Gas boiler service and flue gas check",
        "Wartung der Gasheizung mit Abgasmessung",
        12,
        "asset",
    ),
    (
        "legionella",
        "Legionella risk assessment and drinking-water test",
        "Legionellen: Gefährdungsanalyse und Trinkwasseruntersuchung",
        36,
        "site",
    ),
    (
        "fire_safety",
        "Fire-safety inspection",
        "Brandschutzbegehung",
        12,
        "site",
    ),
)
