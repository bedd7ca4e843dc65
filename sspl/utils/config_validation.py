"""Check a config before the Runner is built: a misspelt key or a value of
the wrong type fails at start, naming the config file and the key path,
instead of deep inside a build (or not at all, for a key nothing reads).

What is checked (:func:`validate_config`):

- top-level keys: a key that is not one the Runner reads but is close to one
  (``train_dataloder``, ``optim_wraper``) is an error; other unknown keys are
  the config's own variables (``data_root``, ``lr_frame`` ...) and pass;
- every component (a dict with ``type``) in ``model``, the dataloaders (their
  dataset, pipeline, sampler, collate function), the loops, ``optim_wrapper``
  (and its optimizer), ``param_scheduler``, the evaluators, the hooks, the
  visualizer and its back ends, ``log_processor``, ``model_wrapper_cfg``:
  its ``type`` is registered, each argument is one its constructor accepts
  (following ``**kwargs`` up the class hierarchy when they are passed on),
  and arguments annotated ``int``/``float``/``bool``/``str`` (or Optional /
  Union of them) have values of that type;
- ``randomness`` and ``env_cfg`` keys.

Arguments of unknown components (``**kwargs`` not passed on, signatures that
cannot be read) are not checked: the validator reports only what it knows.
"""
import difflib
import inspect
import re
import types
import typing
from typing import Any, Iterable, List, Optional, Set, Tuple

from mmengine.config import Config, ConfigDict

__all__ = ['ConfigError', 'validate_config', 'config_problems']


class ConfigError(ValueError):
    """A config with unknown keys or values of the wrong type."""


# Keys the mmengine Runner (and sspl's tools) read from a config.
RUNNER_KEYS = {
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader',
    'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler',
    'val_evaluator', 'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor',
    'load_from', 'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
    'default_scope', 'randomness', 'experiment_name', 'compile', 'activation_checkpointing',
    'efficient_conv_bn_eval', 'model_wrapper_cfg', 'runner_type', 'strategy', 'gpu_ids',
    'custom_imports', 'dist_params', 'vis_backends', 'cfg',
}
ENV_CFG_KEYS = {'cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'}
DATALOADER_EXTRA_KEYS = {'dataset', 'sampler', 'batch_sampler', 'collate_fn', 'worker_init_fn',
                         'num_batch_per_epoch', 'disable_subprocess_warning'}
_SKIPPED_KEYS = {'type', '_scope_', '_delete_'}


def _registries():
    import mmengine.registry as mm
    import sspl.registry as reg
    return dict(
        MODELS=reg.MODELS, DATASETS=reg.DATASETS, TRANSFORMS=reg.TRANSFORMS,
        DATA_SAMPLERS=reg.DATA_SAMPLERS, HOOKS=reg.HOOKS, LOOPS=reg.LOOPS,
        OPTIMIZERS=reg.OPTIMIZERS, OPTIM_WRAPPERS=reg.OPTIM_WRAPPERS,
        OPTIM_WRAPPER_CONSTRUCTORS=reg.OPTIM_WRAPPER_CONSTRUCTORS,
        PARAM_SCHEDULERS=reg.PARAM_SCHEDULERS, METRICS=reg.METRICS, EVALUATOR=reg.EVALUATOR,
        VISUALIZERS=reg.VISUALIZERS, VISBACKENDS=reg.VISBACKENDS,
        LOG_PROCESSORS=reg.LOG_PROCESSORS, MODEL_WRAPPERS=reg.MODEL_WRAPPERS,
        WEIGHT_INITIALIZERS=reg.WEIGHT_INITIALIZERS, FUNCTIONS=mm.FUNCTIONS)


# (registry of the parent component, argument name) -> registry of the nested components
_CHILD_REGISTRY = {
    ('DATASETS', 'pipeline'): 'TRANSFORMS',
    ('VISUALIZERS', 'vis_backends'): 'VISBACKENDS',
    ('EVALUATOR', 'metrics'): 'METRICS',
    ('MODELS', 'init_cfg'): None,  # weight initialisers: checked by mmengine
    # LocalizationMetric's protocols (dicts with a protocol 'type', not registered
    # components): checked by the metric itself when it is built
    ('METRICS', 'protocols'): None,
}


def _close(word: str, candidates: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.75)
    return f" (did you mean '{matches[0]}'?)" if matches else ''


def _registry_names(registry) -> Set[str]:
    names = set()
    while registry is not None:
        names.update(registry.module_dict)
        registry = registry.parent
    return names


def _forwards_var_keyword(function, name: str) -> bool:
    """Whether ``function``'s source passes ``**name`` on to a parent ``__init__``."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return re.search(r'(super\([^)]*\)\.__init__|\w+\.__init__)\((?:[^()]|\([^()]*\))*\*\*'
                     + re.escape(name), source) is not None


def accepted_arguments(target) -> Optional[Set[str]]:
    """Keyword arguments ``target`` (a class or function) accepts, or None when
    it accepts arbitrary ones (``**kwargs`` not traceably passed on) or its
    signature cannot be read."""
    if inspect.isclass(target):
        names: Set[str] = set()
        for klass in target.__mro__:
            if klass is object:
                return names
            init = klass.__dict__.get('__init__')
            if init is None:
                continue
            try:
                parameters = inspect.signature(init).parameters.values()
            except (TypeError, ValueError):
                return None
            var_keyword = None
            for parameter in parameters:
                if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                    names.add(parameter.name)
                elif parameter.kind is parameter.VAR_KEYWORD:
                    var_keyword = parameter.name
            names.discard('self')
            if var_keyword is None:
                return names
            if not _forwards_var_keyword(init, var_keyword):
                return None
        return names
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def _type_hints(target) -> dict:
    """Annotations of the constructor arguments along the class hierarchy."""
    hints = {}
    functions = ([klass.__dict__['__init__'] for klass in reversed(target.__mro__)
                  if '__init__' in klass.__dict__ and klass is not object]
                 if inspect.isclass(target) else [target])
    for function in functions:
        try:
            hints.update(typing.get_type_hints(function))
            continue
        except Exception:  # noqa: BLE001  (an unresolvable forward reference somewhere)
            pass
        # One annotation at a time, so one unresolvable name costs only its argument.
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            continue
        namespace = dict(getattr(function, '__globals__', {}))
        for parameter in parameters:
            annotation = parameter.annotation
            if annotation is parameter.empty:
                continue
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, namespace)  # noqa: S307  (library source)
                except Exception:  # noqa: BLE001
                    continue
            hints[parameter.name] = annotation
    return hints


def _matches(value: Any, hint: Any) -> Optional[bool]:
    """Whether ``value`` fits ``hint``; None when the hint is not one we check."""
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        results = [_matches(value, arg) for arg in typing.get_args(hint)]
        if any(result is True for result in results):
            return True
        return False if all(result is False for result in results) else None
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    return None


def _hint_name(hint: Any) -> str:
    text = getattr(hint, '__name__', None) if typing.get_origin(hint) is None else None
    return text or str(hint).replace('typing.', '')


class _Checker:

    def __init__(self):
        self.problems: List[str] = []
        self.registries = _registries()

    def error(self, path: str, problem: str) -> None:
        self.problems.append(f'{path}: {problem}')

    # -- components -------------------------------------------------------
    def resolve(self, type_, registry_name: str, path: str, report: bool = True):
        if not isinstance(type_, str):
            return type_ if callable(type_) else None
        registry = self.registries[registry_name]
        try:
            target = registry.get(type_)
        except Exception:  # noqa: BLE001  (e.g. an unknown scope prefix)
            target = None
        if target is None and report:
            self.error(f'{path}.type', f"'{type_}' is not a registered {registry.name}"
                                       + _close(type_, _registry_names(registry)))
        return target

    def component(self, cfg: Any, registry_name: Optional[str], path: str,
                  injected: Iterable[str] = (), extra: Iterable[str] = ()) -> None:
        """Check one ``dict(type=...)``; recurse into nested components."""
        if registry_name is None or not isinstance(cfg, dict) or 'type' not in cfg:
            return
        target = self.resolve(cfg['type'], registry_name, path)
        if target is None:
            return
        accepted = accepted_arguments(target)
        hints = _type_hints(target)
        allowed = None if accepted is None else accepted | set(injected) | set(extra)
        name = getattr(target, '__name__', str(target))
        for key, value in cfg.items():
            if key in _SKIPPED_KEYS:
                continue
            if allowed is not None and key not in allowed:
                self.error(f'{path}.{key}', f"{name} has no argument '{key}'"
                                            + _close(key, allowed))
                continue
            hint = hints.get(key)
            if hint is not None and _matches(value, hint) is False:
                self.error(f'{path}.{key}', f'{name} expects {_hint_name(hint)}, got '
                                            f'{type(value).__name__} {value!r}')
            self.nested(value, registry_name, key, f'{path}.{key}')

    def nested(self, value: Any, parent_registry: str, key: str, path: str) -> None:
        child = _CHILD_REGISTRY.get((parent_registry, key), parent_registry)
        if child is None:
            return
        items = [(path, value)] if isinstance(value, dict) else \
            [(f'{path}[{i}]', item) for i, item in enumerate(value)] \
            if isinstance(value, (list, tuple)) else []
        for item_path, item in items:
            if not (isinstance(item, dict) and isinstance(item.get('type'), str)):
                continue
            if self.resolve(item['type'], child, item_path, report=False) is None:
                # Not in the expected registry: an error only if no registry knows it.
                known = any(self.resolve(item['type'], other, item_path, report=False)
                            for other in self.registries)
                if not known:
                    self.resolve(item['type'], child, item_path)
                continue
            self.component(item, child, item_path)

    # -- runner sections --------------------------------------------------
    def dataloader(self, cfg: Any, path: str) -> None:
        if cfg is None:
            return
        if not isinstance(cfg, dict):
            self.error(path, f'must be a dict, got {type(cfg).__name__}')
            return
        from torch.utils.data import DataLoader
        accepted = (accepted_arguments(DataLoader) or set()) | DATALOADER_EXTRA_KEYS
        hints = _type_hints(DataLoader)
        for key, value in cfg.items():
            if key in _SKIPPED_KEYS:
                continue
            if key not in accepted:
                self.error(f'{path}.{key}', f"not a dataloader setting{_close(key, accepted)}")
                continue
            hint = hints.get(key)
            if hint is not None and _matches(value, hint) is False:
                self.error(f'{path}.{key}', f'expects {_hint_name(hint)}, got '
                                            f'{type(value).__name__} {value!r}')
        if 'dataset' not in cfg:
            self.error(path, "has no 'dataset'")
        self.component(cfg.get('dataset'), 'DATASETS', f'{path}.dataset')
        self.component(cfg.get('sampler'), 'DATA_SAMPLERS', f'{path}.sampler',
                       injected=('dataset', 'seed'))
        self.component(cfg.get('batch_sampler'), 'DATA_SAMPLERS', f'{path}.batch_sampler',
                       injected=('sampler', 'batch_size'))
        self.component(cfg.get('collate_fn'), 'FUNCTIONS', f'{path}.collate_fn')

    def loop(self, cfg: Any, path: str, default: str, injected: Tuple[str, ...]) -> None:
        if cfg is None:
            return
        if not isinstance(cfg, dict):
            self.error(path, f'must be a dict, got {type(cfg).__name__}')
            return
        if 'type' not in cfg:
            if default == 'EpochBasedTrainLoop':
                default = 'EpochBasedTrainLoop' if cfg.get('by_epoch', True) else \
                    'IterBasedTrainLoop'
            cfg = dict(cfg, type=default)
        self.component(cfg, 'LOOPS', path, injected=injected, extra=('by_epoch',))

    def optim_wrapper(self, cfg: Any, path: str) -> None:
        if not isinstance(cfg, dict):
            if cfg is not None:
                self.error(path, f'must be a dict, got {type(cfg).__name__}')
            return
        if 'constructor' in cfg:
            self.resolve(cfg['constructor'], 'OPTIM_WRAPPER_CONSTRUCTORS', f'{path}.constructor')
        wrapper = {key: value for key, value in cfg.items()
                   if key not in ('optimizer', 'constructor', 'paramwise_cfg')}
        if wrapper.get('type', 'OptimWrapper') in ('OptimWrapperDict', ):
            return
        wrapper.setdefault('type', 'OptimWrapper')
        self.component(wrapper, 'OPTIM_WRAPPERS', path, injected=('optimizer', ))
        self.component(cfg.get('optimizer'), 'OPTIMIZERS', f'{path}.optimizer',
                       injected=('params', ))

    def evaluator(self, cfg: Any, path: str) -> None:
        items = [(path, cfg)] if isinstance(cfg, dict) else \
            [(f'{path}[{i}]', item) for i, item in enumerate(cfg)] \
            if isinstance(cfg, (list, tuple)) else []
        for item_path, item in items:
            if not isinstance(item, dict) or 'type' not in item:
                continue
            if self.resolve(item['type'], 'METRICS', item_path, report=False) is not None:
                self.component(item, 'METRICS', item_path)
            else:
                self.component(item, 'EVALUATOR', item_path)

    def keys(self, cfg: Any, allowed: Set[str], path: str) -> None:
        if not isinstance(cfg, dict):
            if cfg is not None:
                self.error(path, f'must be a dict, got {type(cfg).__name__}')
            return
        for key in cfg:
            if key not in allowed:
                self.error(f'{path}.{key}', f'unknown key{_close(key, allowed)}; known: '
                                            f'{", ".join(sorted(allowed))}')

    def check(self, cfg: dict) -> None:
        for key in cfg:
            if key not in RUNNER_KEYS and not key.startswith('_'):
                hint = _close(key, RUNNER_KEYS)
                if hint:
                    self.error(key, f'not a key the runner reads{hint}')
        self.component(cfg.get('model'), 'MODELS', 'model')
        self.component(cfg.get('data_preprocessor'), 'MODELS', 'data_preprocessor')
        for split in ('train', 'val', 'test'):
            self.dataloader(cfg.get(f'{split}_dataloader'), f'{split}_dataloader')
        self.loop(cfg.get('train_cfg'), 'train_cfg', 'EpochBasedTrainLoop',
                  ('runner', 'dataloader'))
        self.loop(cfg.get('val_cfg'), 'val_cfg', 'ValLoop', ('runner', 'dataloader', 'evaluator'))
        self.loop(cfg.get('test_cfg'), 'test_cfg', 'TestLoop',
                  ('runner', 'dataloader', 'evaluator'))
        self.optim_wrapper(cfg.get('optim_wrapper'), 'optim_wrapper')
        schedulers = cfg.get('param_scheduler')
        if isinstance(schedulers, dict) and 'type' in schedulers:
            schedulers = [schedulers]
        for index, scheduler in enumerate(schedulers if isinstance(schedulers, (list, tuple))
                                          else []):
            self.component(scheduler, 'PARAM_SCHEDULERS', f'param_scheduler[{index}]',
                           injected=('optimizer', 'epoch_length'),
                           extra=('convert_to_iter_based', ))
        self.evaluator(cfg.get('val_evaluator'), 'val_evaluator')
        self.evaluator(cfg.get('test_evaluator'), 'test_evaluator')
        default_hooks = cfg.get('default_hooks')
        if isinstance(default_hooks, dict):
            for name, hook in default_hooks.items():
                self.component(hook, 'HOOKS', f'default_hooks.{name}')
        elif default_hooks is not None:
            self.error('default_hooks', f'must be a dict, got {type(default_hooks).__name__}')
        custom_hooks = cfg.get('custom_hooks')
        if isinstance(custom_hooks, (list, tuple)):
            for index, hook in enumerate(custom_hooks):
                self.component(hook, 'HOOKS', f'custom_hooks[{index}]')
        elif custom_hooks is not None:
            self.error('custom_hooks', f'must be a list, got {type(custom_hooks).__name__}')
        self.component(cfg.get('visualizer'), 'VISUALIZERS', 'visualizer')
        self.component(cfg.get('log_processor'), 'LOG_PROCESSORS', 'log_processor')
        self.component(cfg.get('model_wrapper_cfg'), 'MODEL_WRAPPERS', 'model_wrapper_cfg',
                       injected=('module', ))
        from mmengine.runner import Runner
        self.keys(cfg.get('randomness'),
                  accepted_arguments(Runner.set_randomness) - {'self'}, 'randomness')
        self.keys(cfg.get('env_cfg'), ENV_CFG_KEYS, 'env_cfg')


def config_problems(cfg) -> List[str]:
    """The problems :func:`validate_config` would report, as ``'key.path: problem'``."""
    if isinstance(cfg, Config):
        cfg = cfg.to_dict()
    elif isinstance(cfg, ConfigDict):
        cfg = cfg.to_dict()
    checker = _Checker()
    checker.check(cfg)
    return checker.problems


def validate_config(cfg, path: Optional[str] = None) -> None:
    """Raise :class:`ConfigError` naming ``path`` and every key with a problem.

    Args:
        cfg: a :class:`mmengine.config.Config` (after ``--cfg-options`` are merged).
        path: the config file, for the message (default: ``cfg.filename``).
    """
    problems = config_problems(cfg)
    if problems:
        path = path or getattr(cfg, 'filename', None) or '<config>'
        raise ConfigError(f'{path}: invalid config ({len(problems)} problem(s)):\n  '
                          + '\n  '.join(problems))
