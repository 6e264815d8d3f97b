from facilities.safety.incidents.controllers.api import IncidentsApi
from facilities.safety.incidents.controllers.pages import HazardPages, IncidentPages

__all__ = ["HazardPages", "IncidentPages", "IncidentsApi"]
