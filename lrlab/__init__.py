"""lrlab: learning-rate schedules, exact PyTorch parity, and small experiments to learn from."""

__version__ = "0.1.0"
