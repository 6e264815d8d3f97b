from facilities.assets.controllers.admin_pages import AssetAdminPages
from facilities.assets.controllers.api import AssetsApi
from facilities.assets.controllers.pages import AssetPages

__all__ = ["AssetAdminPages", "AssetPages", "AssetsApi"]
