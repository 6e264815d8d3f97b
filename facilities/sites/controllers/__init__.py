from facilities.sites.controllers.api import SitesApi
from facilities.sites.controllers.pages import SitePages

__all__ = ["SitePages", "SitesApi"]
