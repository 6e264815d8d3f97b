from facilities.integrations.controllers.api import IntegrationsApi
from facilities.integrations.controllers.pages import IntegrationPages

__all__ = ["IntegrationPages", "IntegrationsApi"]
