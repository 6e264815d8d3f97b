from facilities.accounts.controllers.api import AccountsApi
from facilities.accounts.controllers.pages import AccountPages

__all__ = ["AccountPages", "AccountsApi"]
