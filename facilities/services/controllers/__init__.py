from facilities.services.controllers.api import ContractsApi
from facilities.services.controllers.pages import ContractPages

__all__ = ["ContractPages", "ContractsApi"]
