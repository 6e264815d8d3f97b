from facilities.maintenance.rollouts.controllers.api import RolloutsApi
from facilities.maintenance.rollouts.controllers.pages import RolloutPages

__all__ = ["RolloutPages", "RolloutsApi"]
