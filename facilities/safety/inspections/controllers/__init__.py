from facilities.safety.inspections.controllers.api import InspectionsApi
from facilities.safety.inspections.controllers.pages import InspectionPages

__all__ = ["InspectionPages", "InspectionsApi"]
