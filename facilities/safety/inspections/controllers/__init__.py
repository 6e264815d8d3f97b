from facilities.safety.inspections.controllers.api import InspectionsApi
from facilities.safety.inspections.controllers.editor import ProgrammePages, TemplateEditorPages
from facilities.safety.inspections.controllers.pages import InspectionPages

__all__ = ["InspectionPages", "InspectionsApi", "ProgrammePages", "TemplateEditorPages"]
