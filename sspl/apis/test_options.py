"""Test-time options of a config that any method's config takes: the
negative-audio probes and the audio swap (``tools/test.py --negative-audio``,
``--swap-audio``; ``tools/analysis/audio_swap.py``)."""
import copy
from typing import Sequence

from sspl.datasets.negative_audio import PROBE_KINDS
from sspl.evaluation.metrics.localization_metric import DEFAULT_PROTOCOLS

#: the metrics that score negative-audio probes
LOCALIZATION_METRICS = ('LocalizationMetric', 'CIoUMetric')


def with_negative_audio(cfg, kinds: Sequence[str] = PROBE_KINDS, seed: int = 0,
                        mode: str = 'probes', split: str = 'test'):
    """``cfg`` with its ``<split>_dataloader`` dataset wrapped in
    :class:`~sspl.datasets.NegativeAudioProbes` (the method's pipeline and
    data unchanged) and, for ``mode='probes'``, a ``negative_audio`` protocol
    in each localisation metric of ``<split>_evaluator`` that lacks one (it
    takes the metric's ``score_range``: the method's config says it).

    ``mode='replace'`` (one kind): each positive's audio replaced, scored as
    an ordinary positive (the audio-swap check with ``kinds=['offscreen']``).
    Returns a copy; ``cfg`` is left as it is.
    """
    cfg = copy.deepcopy(cfg)
    loader = cfg.get(f'{split}_dataloader')
    if not loader or not loader.get('dataset'):
        raise ValueError(f'negative-audio probes: the config has no {split}_dataloader.dataset')
    loader['dataset'] = dict(type='NegativeAudioProbes', dataset=loader['dataset'],
                             kinds=list(kinds), seed=int(seed), mode=mode)
    if mode != 'probes':
        return cfg
    evaluator = cfg.get(f'{split}_evaluator')
    metrics = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    found = False
    for metric in metrics:
        if not isinstance(metric, dict) or metric.get('type') not in LOCALIZATION_METRICS:
            continue
        found = True
        protocols = metric.get('protocols', DEFAULT_PROTOCOLS)
        if protocols == 'all':
            continue
        protocols = [protocols] if isinstance(protocols, (str, dict)) else list(protocols)
        types = [p if isinstance(p, str) else p.get('type') for p in protocols]
        if 'negative_audio' not in types:
            protocols.append('negative_audio')
        metric['protocols'] = protocols
    if not found:
        raise ValueError(f'negative-audio probes: {split}_evaluator has no '
                         f'{" / ".join(LOCALIZATION_METRICS)} to score them')
    return cfg


def evaluate_dataset(model, dataset, evaluator, batch_size: int = 16, collate=None) -> dict:
    """The metrics of ``model`` (built, in eval mode) on every sample of
    ``dataset`` through ``evaluator`` (an mmengine ``Evaluator``): the test
    loop without a runner, in the main process."""
    import torch
    from mmengine.dataset import pseudo_collate
    collate = collate or pseudo_collate
    for first in range(0, len(dataset), batch_size):
        batch = [dataset[index] for index in range(first, min(first + batch_size, len(dataset)))]
        with torch.no_grad():
            outputs = model.test_step(collate(batch))
        evaluator.process(outputs)
    return evaluator.evaluate(len(dataset))


def audio_swap_check(model, cfg, split: str = 'test', seed: int = 0,
                     batch_size: int = 16) -> dict:
    """Does a localizer use the audio? The metrics of ``cfg``'s ``split``
    with each clip's own audio and with another clip's (of another class
    where the samples have labels): ``dict(own_audio=..., swapped_audio=...,
    partners=[index of the clip whose audio each clip got])``."""
    from mmengine.evaluator import Evaluator
    from mmengine.registry import FUNCTIONS

    from sspl.datasets.negative_audio import NegativeAudioProbes
    from sspl.registry import DATASETS
    loader = cfg[f'{split}_dataloader']
    dataset = DATASETS.build(loader['dataset'])
    if hasattr(dataset, 'full_init'):
        dataset.full_init()
    swapped = NegativeAudioProbes(dataset, kinds=['offscreen'], mode='replace', seed=seed)
    collate = FUNCTIONS.get((loader.get('collate_fn') or {}).get('type', 'pseudo_collate'))
    evaluator = Evaluator(cfg[f'{split}_evaluator'])
    own = evaluate_dataset(model, dataset, evaluator, batch_size, collate)
    swapped_metrics = evaluate_dataset(model, swapped, evaluator, batch_size, collate)
    return dict(own_audio=own, swapped_audio=swapped_metrics,
                partners=[swapped.partners[index] for index in range(len(dataset))])
