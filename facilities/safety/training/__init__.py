"""Safety: training."""
