from facilities.sustainability.controllers.api import SustainabilityApi
from facilities.sustainability.controllers.asset_meters import AssetMeterApi, AssetMeterPages
from facilities.sustainability.controllers.library import SustainabilityLibraryPages
from facilities.sustainability.controllers.manage import SustainabilityManagePages
from facilities.sustainability.controllers.pages import SustainabilityPages

__all__ = [
    "AssetMeterApi",
    "AssetMeterPages",
    "SustainabilityApi",
    "SustainabilityLibraryPages",
    "SustainabilityManagePages",
    "SustainabilityPages",
]
