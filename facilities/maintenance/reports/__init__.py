"""Problem reports: from the public scan page (``/q/{code}``), the report form and the API;
votes ("same problem"), photos, triage (accept into a work order, merge, reject) and the
reporter's status page."""
