"""The demo's user-facing words in the demo's language (``FACILITIES_DEFAULT_LOCALE``):
``FACILITIES_DEFAULT_LOCALE=de make run`` gives a German demo (asset names, spaces,
reports, work orders, contracts, plans). Names of people and companies stay as they are."""

from __future__ import annotations

from facilities.settings import get_settings

GERMAN = {
    "Wi-Fi access point %d": "WLAN-Zugangspunkt %d",
    "Wi-Fi 7 upgrade": "Umstieg auf Wi-Fi 7",
    "Wi-Fi maintenance, field sites": "WLAN-Wartung, Außenstandorte",
    "Internet access, field sites": "Internetzugang, Außenstandorte",
    # categories
    "Coffee machines": "Kaffeemaschinen",
    "HVAC units": "Klimageräte",
    "Network equipment": "Netzwerktechnik",
    "Fire safety equipment": "Brandschutzeinrichtungen",
    # assets
    "Coffee machine, kitchen": "Kaffeemaschine, Küche",
    "Air conditioning, meeting room": "Klimaanlage, Besprechungsraum",
    "Wi-Fi access point, open space": "WLAN-Access-Point, Open Space",
    "Fire extinguisher, entrance": "Feuerlöscher, Eingang",
    # spaces
    "Ground floor": "Erdgeschoss",
    "1st floor": "1. Obergeschoss",
    "Reception": "Empfang",
    "Kitchen": "Küche",
    "Open space": "Open Space",
    "Meeting room Neckar": "Besprechungsraum Neckar",
    "Server cabinet": "Serverschrank",
    # sites
    "Key safe at the side entrance; code from the community manager.": (
        "Schlüsseltresor am Seiteneingang; Code beim Community-Management."
    ),
    "Access point site %s": "Access-Point-Standort %s",
    "Cabinet key at the town hall caretaker; call ahead.": (
        "Schrankschlüssel beim Hausmeister im Rathaus; bitte vorher anrufen."
    ),
    # budgets
    "Plumber's invoice for the kitchen tap (no work order)": (
        "Rechnung des Installateurs für den Küchenwasserhahn (ohne Arbeitsauftrag)"
    ),
    # contracts, plans, programmes
    "Building services Rhine-Neckar": "Haustechnik Rhein-Neckar",
    "Heating, ventilation, air conditioning and kitchen plumbing; 4 h on-site response for P1.": (
        "Heizung, Lüftung, Klima und Küchen-Sanitär; 4 h Reaktionszeit vor Ort bei P1."
    ),
    "Cleaning Rhine-Neckar coworking": "Reinigung Coworking Rhein-Neckar",
    "Cleaning round Monday and Thursday": "Reinigungsrunde Montag und Donnerstag",
    "HVAC filter service": "Filterwartung Klimageräte",
    "Filter change by operating hours": "Filterwechsel nach Betriebsstunden",
    "Replace the filter mats every 500 operating hours.": (
        "Filtermatten alle 500 Betriebsstunden tauschen."
    ),
    "Clean or replace filters, check condensate drain.": (
        "Filter reinigen oder tauschen, Kondensatablauf prüfen."
    ),
    # reports and work
    "The coffee machine shows 'descale' and stops after one cup.": (
        "Die Kaffeemaschine zeigt „Entkalken“ und stoppt nach einer Tasse."
    ),
    "Water is dripping from the air conditioning onto the table.": (
        "Aus der Klimaanlage tropft Wasser auf den Tisch."
    ),
    "Replace the flickering lights in meeting room 1": (
        "Flackernde Leuchten in Besprechungsraum 1 tauschen"
    ),
    "Two LED panels flicker; members complain about headaches.": (
        "Zwei LED-Panels flackern; Mitglieder klagen über Kopfschmerzen."
    ),
    "Access point reboots every few hours": "Access Point startet alle paar Stunden neu",
    # the coming week's work and the weekly check
    "Descale the coffee machine": "Kaffeemaschine entkalken",
    "Emergency light in the stairwell is off": "Notleuchte im Treppenhaus ist aus",
    "Door closer of the entrance slams": "Türschließer am Eingang schlägt zu",
    "Socket in phone booth 2 has no power": "Steckdose in Telefonbox 2 ohne Strom",
    "Replace the whiteboard markers holder": "Halterung für Whiteboard-Marker ersetzen",
    "Fire extinguisher visual check": "Sichtprüfung Feuerlöscher",
    "Seal intact, pressure gauge in the green, sign visible.": (
        "Plombe unversehrt, Manometer im grünen Bereich, Schild sichtbar."
    ),
}


def say(text: str) -> str:
    """``text`` in the demo's language (English unless the default locale is German)."""
    if get_settings().default_locale == "de":
        return GERMAN.get(text, text)
    return text
