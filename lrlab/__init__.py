"""lrlab: learning-rate schedules, exact PyTorch parity, and small experiments to learn from."""

from importlib import metadata as _metadata

from lrlab.audit import AuditReport as AuditReport
from lrlab.audit import audit as audit
from lrlab.experiments import Comparison as Comparison
from lrlab.experiments import compare as compare
from lrlab.experiments import compare_fixed as compare_fixed
from lrlab.experiments import nqm_runner as nqm_runner
from lrlab.experiments import train_runner as train_runner
from lrlab.interop import from_fastai as from_fastai
from lrlab.interop import from_hf as from_hf
from lrlab.interop import from_keras as from_keras
from lrlab.interop import from_optax as from_optax
from lrlab.interop import from_timm as from_timm
from lrlab.interop import to_hf as to_hf
from lrlab.nqm import NoisyQuadratic as NoisyQuadratic
from lrlab.schedules import Schedule as Schedule
from lrlab.schedules import clip as clip
from lrlab.schedules import constant as constant
from lrlab.schedules import cosine as cosine
from lrlab.schedules import cosine_cycles as cosine_cycles
from lrlab.schedules import cosine_restarts as cosine_restarts
from lrlab.schedules import cyclical as cyclical
from lrlab.schedules import exponential as exponential
from lrlab.schedules import exponential_rate as exponential_rate
from lrlab.schedules import inverse_sqrt as inverse_sqrt
from lrlab.schedules import inverse_time as inverse_time
from lrlab.schedules import join as join
from lrlab.schedules import linear_decay as linear_decay
from lrlab.schedules import linear_warmup as linear_warmup
from lrlab.schedules import multistep as multistep
from lrlab.schedules import one_cycle as one_cycle
from lrlab.schedules import phases as phases
from lrlab.schedules import polynomial as polynomial
from lrlab.schedules import product as product
from lrlab.schedules import scale as scale
from lrlab.schedules import shift as shift
from lrlab.schedules import step_decay as step_decay
from lrlab.schedules import warmup_cosine as warmup_cosine
from lrlab.schedules import with_warmup as with_warmup
from lrlab.schedules import wsd as wsd
from lrlab.tasks import ContextMLP as ContextMLP
from lrlab.tasks import MarkovTask as MarkovTask
from lrlab.torch_adapter import to_torch as to_torch
from lrlab.training import AdamTrace as AdamTrace
from lrlab.training import Checkpoint as Checkpoint
from lrlab.training import History as History
from lrlab.training import RangeTest as RangeTest
from lrlab.training import adam_trace as adam_trace
from lrlab.training import lr_range_test as lr_range_test
from lrlab.training import plot_range_test as plot_range_test
from lrlab.training import population_loss as population_loss
from lrlab.training import suggest_lrs as suggest_lrs
from lrlab.training import train as train
from lrlab.training import train_many as train_many

# The version is set once, in pyproject.toml, and read from the installed metadata.
__version__ = _metadata.version("lrlab")
