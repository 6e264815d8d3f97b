"""Starter templates shipped as data, in English and German. Ops copy one
(``actions.copy_starter``) and edit the copy; the data here never changes under them.

Each item: key, kind, English label, German label, and extras (``critical``, ``weight``,
``unit``/``min``/``max``, ``options``/``fail_answers``, ``show_if_item``/``show_if_answers``,
``required``, ``section``); a tuple is an (English, German) pair."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

Item = tuple[str, str, str, str, dict[str, Any]]

_STARTERS: dict[str, tuple[tuple[str, str], list[Item]]] = {
    "fire_extinguisher_monthly": (
        ("Fire extinguisher monthly check", "Feuerlöscher Monatskontrolle"),
        [
            (
                "in_place",
                "pass_fail_na",
                "In its marked place, visible and unobstructed",
                "Am gekennzeichneten Platz, sichtbar und frei zugänglich",
                {},
            ),
            (
                "pressure",
                "pass_fail_na",
                "Pressure gauge in the green zone",
                "Manometer im grünen Bereich",
                {"critical": True, "weight": 2},
            ),
            (
                "seal",
                "pass_fail_na",
                "Safety pin and tamper seal intact",
                "Sicherungsstift und Plombe unversehrt",
                {"critical": True},
            ),
            (
                "damage",
                "pass_fail_na",
                "No damage, corrosion or leaks",
                "Keine Beschädigung, Korrosion oder Undichtigkeit",
                {},
            ),
            (
                "service_due",
                "yes_no",
                "Service label valid (within two years)",
                "Prüfplakette gültig (innerhalb von zwei Jahren)",
                {},
            ),
            (
                "photo",
                "photo",
                "Photo of the extinguisher",
                "Foto des Feuerlöschers",
                {"required": False, "weight": 0},
            ),
        ],
    ),
    "emergency_lighting_monthly": (
        (
            "Emergency lighting monthly function test",
            "Sicherheitsbeleuchtung monatliche Funktionsprüfung",
        ),
        [
            (
                "switch_test",
                "pass_fail_na",
                "All luminaires light on the test switch",
                "Alle Leuchten schalten bei der Prüftaste ein",
                {"critical": True, "weight": 2},
            ),
            (
                "exit_signs",
                "pass_fail_na",
                "Exit signs lit and legible",
                "Rettungszeichen beleuchtet und lesbar",
                {},
            ),
            (
                "failed_count",
                "number",
                "Luminaires that failed",
                "Ausgefallene Leuchten",
                {"unit": "pcs", "min": 0, "max": 0},
            ),
            (
                "log",
                "yes_no",
                "Test entered in the log book",
                "Prüfung im Prüfbuch eingetragen",
                {},
            ),
        ],
    ),
    "first_aid_kit": (
        ("First-aid kit contents", "Erste-Hilfe-Kasten Inhalt"),
        [
            (
                "complete",
                "pass_fail_na",
                "Contents complete per the list inside the lid",
                "Inhalt vollständig laut Liste im Deckel",
                {"weight": 2},
            ),
            (
                "expiry",
                "pass_fail_na",
                "Nothing past its expiry date",
                "Nichts über dem Verfallsdatum",
                {},
            ),
            ("sign", "pass_fail_na", "First-aid sign visible", "Erste-Hilfe-Zeichen sichtbar", {}),
            (
                "missing",
                "text",
                "What was missing or replaced",
                "Was fehlte oder ersetzt wurde",
                {"required": False, "weight": 0},
            ),
        ],
    ),
    "escape_routes_fire_doors": (
        ("Escape routes and fire doors", "Fluchtwege und Brandschutztüren"),
        [
            (
                "routes_clear",
                "pass_fail_na",
                "Escape routes clear of obstructions",
                "Fluchtwege frei von Hindernissen",
                {"critical": True, "weight": 3},
            ),
            (
                "exits_open",
                "pass_fail_na",
                "Emergency exits open from inside without a key",
                "Notausgänge von innen ohne Schlüssel zu öffnen",
                {"critical": True, "weight": 3},
            ),
            (
                "doors_close",
                "pass_fail_na",
                "Fire doors close and latch by themselves",
                "Brandschutztüren schließen und rasten selbsttätig",
                {"weight": 2},
            ),
            (
                "wedged",
                "yes_no",
                "Any fire door wedged or held open?",
                "Brandschutztür verkeilt oder offen gehalten?",
                {"fail_answers": ["yes"]},
            ),
            (
                "wedged_where",
                "text",
                "Where?",
                "Wo?",
                {"show_if_item": "wedged", "show_if_answers": ["yes"], "weight": 0},
            ),
            (
                "plans",
                "pass_fail_na",
                "Escape plans posted and current",
                "Flucht- und Rettungspläne ausgehängt und aktuell",
                {},
            ),
        ],
    ),
    "coworking_walk": (
        ("Coworking workplace walk", "Arbeitsplatzbegehung Coworking"),
        [
            (
                "desks",
                "pass_fail_na",
                "Desks and chairs undamaged and stable",
                "Tische und Stühle unbeschädigt und standsicher",
                {"section": ("Desks", "Arbeitsplätze")},
            ),
            (
                "cables",
                "pass_fail_na",
                "No trailing cables or daisy-chained power strips",
                "Keine Stolperkabel, keine hintereinander gesteckten Steckdosenleisten",
                {"section": ("Desks", "Arbeitsplätze"), "weight": 2},
            ),
            (
                "ventilation",
                "choice",
                "Air quality",
                "Luftqualität",
                {
                    "section": ("Room", "Raum"),
                    "options": (["good", "stuffy", "draughty"], ["gut", "stickig", "zugig"]),
                    "fail_answers": (["stuffy"], ["stickig"]),
                },
            ),
            (
                "lighting",
                "pass_fail_na",
                "Lighting works, no flicker",
                "Beleuchtung funktioniert, kein Flackern",
                {"section": ("Room", "Raum")},
            ),
            (
                "temperature",
                "number",
                "Room temperature",
                "Raumtemperatur",
                {"section": ("Room", "Raum"), "unit": "°C", "min": 19, "max": 26},
            ),
            (
                "signature",
                "signature",
                "Community manager's signature",
                "Unterschrift Community Manager",
                {"weight": 0},
            ),
        ],
    ),
    "portable_electrical_register": (
        (
            "Portable electrical equipment test register",
            "Prüfverzeichnis ortsveränderliche elektrische Geräte",
        ),
        [
            (
                "visual",
                "pass_fail_na",
                "Visual check: plug, cable and housing undamaged",
                "Sichtprüfung: Stecker, Leitung und Gehäuse unbeschädigt",
                {"critical": True},
            ),
            (
                "label",
                "yes_no",
                "Test label present and in date",
                "Prüfplakette vorhanden und gültig",
                {},
            ),
            (
                "insulation",
                "number",
                "Insulation resistance",
                "Isolationswiderstand",
                {"unit": "MΩ", "min": 1, "required": False},
            ),
            (
                "result",
                "pass_fail_na",
                "Overall result",
                "Gesamtergebnis",
                {"critical": True, "weight": 2},
            ),
        ],
    ),
    "access_point_at_height": (
        (
            "Field site: access point installation at height",
            "Außenstandort: Access-Point-Montage in der Höhe",
        ),
        [
            (
                "ppe",
                "pass_fail_na",
                "Fall protection worn and inspected",
                "Absturzsicherung angelegt und geprüft",
                {"critical": True, "weight": 3},
            ),
            (
                "ladder",
                "pass_fail_na",
                "Ladder or platform stable and secured",
                "Leiter oder Bühne standsicher und gesichert",
                {"critical": True, "weight": 2},
            ),
            (
                "mount",
                "pass_fail_na",
                "Mount and bracket tight, no corrosion",
                "Halterung fest, keine Korrosion",
                {"critical": True, "weight": 2},
            ),
            (
                "cable",
                "pass_fail_na",
                "Cable strain relief and drip loop",
                "Zugentlastung und Abtropfschlaufe am Kabel",
                {},
            ),
            (
                "earthing",
                "yes_no",
                "Lightning protection earthing connected",
                "Blitzschutz-Erdung angeschlossen",
                {},
            ),
            (
                "photo",
                "photo",
                "Photo of the installation",
                "Foto der Montage",
                {"required": False, "weight": 0},
            ),
        ],
    ),
}


def keys() -> list[str]:
    return list(_STARTERS)


def starter(key: str, language: str) -> tuple[str, list[dict[str, Any]]] | None:
    """(name, item specs) of a starter template in ``language`` (``en`` or ``de``)."""
    found = _STARTERS.get(key)
    if found is None:
        return None
    german = language == "de"
    names, items = found
    specs = []
    for item_key, kind, english, deutsch, extras in items:
        spec: dict[str, Any] = {
            "key": item_key,
            "kind": kind,
            "label": deutsch if german else english,
        }
        for name, value in extras.items():
            if isinstance(value, tuple):  # an (English, German) pair
                value = value[1] if german else value[0]
            if name in ("min", "max", "weight"):
                spec[name] = Decimal(str(value))
            else:
                spec[name] = value
        specs.append(spec)
    return (names[1] if german else names[0]), specs


def listing(language: str) -> list[tuple[str, str, int]]:
    """(key, name, item count) of every starter template in ``language``."""
    result = []
    for key in _STARTERS:
        found = starter(key, language)
        assert found is not None
        result.append((key, found[0], len(found[1])))
    return result
