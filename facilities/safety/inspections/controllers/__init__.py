from facilities.safety.inspections.controllers.api import InspectionsApi

__all__ = ["InspectionsApi"]
