#!/usr/bin/env python
"""Throughput of a config: training step, evaluation, data pipeline, and the
floor of the training step.

    python tools/analysis/benchmark.py CONFIG [--batch-size B] [--iters N]
        [--device cpu|cuda] [--amp] [--baseline] [--synthetic] [--audio MODE]

Builds the model and the data pipelines from the config and prints, one per
line (``key: value``; lines starting with ``#`` are notes):

- ``train_samples_per_s``: ``train_step`` (data preprocessor, forward,
  backward, optimizer step) on pre-loaded batches;
- ``eval_samples_per_s``: ``val_step`` (one test view, no loss);
- ``data_samples_per_s``: the training data pipeline of the fast path (SSPL:
  cached VGGish embeddings unless ``--audio`` says otherwise) and its collate
  in one process with one thread, i.e. per data worker; ``data_<variant>_samples_per_s``:
  the method's other pipelines (SSPL: ``logmel``, the log-mel examples
  computed in the worker);
  ``data_workers_samples_per_s``: a DataLoader with the config's
  ``num_workers`` (or ``--num-workers``), a whole pass after a start-up pass;
- ``peak_mem_mb``: working memory of a training step: the peak minus the level
  before the step of GPU memory allocated (CUDA) or of the process's resident
  memory (CPU, Linux's peak-RSS counter reset before the step);
- ``floor_samples_per_s``: where the method defines one, ``B / sum(t_part)``
  of the parts of its training step timed alone in this run (SSPL: the
  frozen visual backbone forward on both views, and the trainable parts,
  audio head, PCM, similarity, pooling, SimSiam head and loss, forward +
  backward); ``train_efficiency``: train over floor.

Each figure is the median over ``--iters`` iterations after ``--warmup``.
``--baseline`` also runs the method's published computation in the same
process (SSPL: audio branch per sample, log-mel computed per sample in the
data pipeline, no caching, both views and the loss at evaluation, no
channels-last) and prints the same lines prefixed ``baseline_``, plus the
ratios ``*_speedup``; the iterations of the two are interleaved, so a change
of machine load hits both. See docs/benchmark.md.

Any config and any localizer: the timing core is :mod:`sspl.apis.benchmark`;
what is method-specific (the audio inputs, the floor's parts, the baseline)
is the method's part of it, registered under its model type (SSPL's:
``sspl/models/localizers/sspl_benchmark.py``). A method without one gets the
train, eval, data and memory figures of its config's pipelines; a model
without trainable parameters (``configs/baselines/``) the eval and data ones.

Weights are random (throughput does not depend on their values). When the
config's dataset is not on disk (or with ``--synthetic``), synthetic clips of
the config's shapes (``SyntheticAVDataset``: PNG frames, WAV audio, written to
a temporary folder) go through the config's pipelines, so the tool runs on a
fresh checkout.
"""
from sspl.apis.benchmark import main, parse_args  # noqa: F401

if __name__ == '__main__':
    main()
