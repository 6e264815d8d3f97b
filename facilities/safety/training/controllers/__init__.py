from facilities.safety.training.controllers.api import TrainingApi
from facilities.safety.training.controllers.pages import TrainingPages

__all__ = ["TrainingApi", "TrainingPages"]
