"""The safety report (web, PDF, share links): incidents, certificates, training and, once
inspections land, their section (``sections.inspections_section``)."""
