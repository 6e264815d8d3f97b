from facilities.safety.inspections.controllers.api import InspectionsApi
from facilities.safety.inspections.controllers.editor import TemplateEditorPages
from facilities.safety.inspections.controllers.pages import InspectionPages
from facilities.safety.inspections.controllers.programme_pages import ProgrammePages

__all__ = ["InspectionPages", "InspectionsApi", "ProgrammePages", "TemplateEditorPages"]
