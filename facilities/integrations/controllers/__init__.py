from facilities.integrations.controllers.api import IntegrationsApi

__all__ = ["IntegrationsApi"]
