"""lrlab: learning-rate schedules, exact PyTorch parity, and small experiments to learn from."""

from lrlab.nqm import NoisyQuadratic as NoisyQuadratic
from lrlab.schedules import Schedule as Schedule
from lrlab.schedules import constant as constant
from lrlab.schedules import cosine as cosine
from lrlab.schedules import cosine_restarts as cosine_restarts
from lrlab.schedules import cyclical as cyclical
from lrlab.schedules import exponential as exponential
from lrlab.schedules import inverse_sqrt as inverse_sqrt
from lrlab.schedules import join as join
from lrlab.schedules import linear_decay as linear_decay
from lrlab.schedules import linear_warmup as linear_warmup
from lrlab.schedules import multistep as multistep
from lrlab.schedules import one_cycle as one_cycle
from lrlab.schedules import polynomial as polynomial
from lrlab.schedules import scale as scale
from lrlab.schedules import step_decay as step_decay
from lrlab.schedules import warmup_cosine as warmup_cosine
from lrlab.schedules import with_warmup as with_warmup
from lrlab.schedules import wsd as wsd
from lrlab.torch_adapter import to_torch as to_torch

__version__ = "0.1.0"
