"""lrlab: learning-rate schedules, exact PyTorch parity, and small experiments to learn from."""

from lrlab.nqm import NoisyQuadratic as NoisyQuadratic

__version__ = "0.1.0"
