from facilities.accounts.controllers.api import AccountsApi
from facilities.accounts.controllers.pages import AccountPages
from facilities.accounts.controllers.partners import PartnerPages

__all__ = ["AccountPages", "AccountsApi", "PartnerPages"]
