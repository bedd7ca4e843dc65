"""Registries of sspl, children of mmengine's root registries.

Every component of the toolbox is registered in one of these; ``locations``
tells each registry which modules to import on first use, so a config with
``default_scope = 'sspl'`` needs no ``custom_imports``.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['sspl.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['sspl.engine'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['sspl.engine'])
LOG_PROCESSORS = Registry(
    'log processor', parent=MMENGINE_LOG_PROCESSORS, locations=['sspl.engine'])

DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['sspl.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['sspl.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=['sspl.datasets'])

MODELS = Registry('model', parent=MMENGINE_MODELS, locations=['sspl.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['sspl.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['sspl.models'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['sspl.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS, locations=['sspl.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['sspl.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['sspl.engine'])

METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['sspl.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR, locations=['sspl.evaluation'])

VISUALIZERS = Registry(
    'visualizer', parent=MMENGINE_VISUALIZERS, locations=['sspl.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMENGINE_VISBACKENDS, locations=['sspl.visualization'])

#: A method's part of the benchmark (:mod:`sspl.apis.benchmark`): its floor,
#: its published-computation baseline, its audio inputs. Registered under the
#: model type it serves (a subclass of that model is served by it too).
METHOD_BENCHMARKS = Registry('method benchmark', locations=['sspl.models'])
