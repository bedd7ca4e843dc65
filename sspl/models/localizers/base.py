"""The contract every sound source localizer of the toolbox fulfils."""
from abc import ABCMeta, abstractmethod
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.model import BaseModel

from sspl.structures import LocalizationDataSample


class BaseLocalizer(BaseModel, metaclass=ABCMeta):
    """Base class of the localizers: one mode dispatch, a loss, a raw map.

    A method subclasses this and writes:

    - :meth:`loss`: ``inputs`` (as the data preprocessor returns them) and the
      data samples -> a dict of losses (``loss`` and any logged terms);
    - :meth:`predict_maps`: ``frames (B, 3, H, W)`` and the audio inputs, by
      the keys of the method's pipeline (``log_mel=`` / ``audio_embedding=``
      for SSPL, ``spectrogram=`` for the ResNet18 methods) -> the method's raw
      localisation map ``(B, h, w)``, before any upsampling or normalisation;
    - optionally :meth:`predict_maps_and_scores` when the method defines a
      per-sample confidence (``pred_score``);
    - :attr:`audio_keys`: the ``inputs`` keys of its audio (empty: reads none).

    Beside it, in the method's own files: a transform for any audio feature
    the data workers compute (e.g. a spectrogram; ``PackAVInputs`` packs it
    when its key is one of its ``audio_keys``) or an audio front end for the
    data preprocessor, a config (model, pipelines, optimizer), and optionally
    a :class:`sspl.utils.benchmark.MethodBenchmark` for its floor and
    published baseline. The contract test
    (``tests/test_models/test_localizers/test_localizer_contract.py``) needs a
    tiny config of every registered localizer.

    A method without trainable parameters (a baseline such as the centre
    prior) does not train: its :meth:`loss` raises a :class:`RuntimeError`
    saying so.

    Everything generic (metrics, visualizer, inference API, demos, benchmark)
    reads only ``pred_sim_map``, ``pred_score`` and ``gt_map`` of the data
    samples and the config's pipelines; nothing generic knows a method.

    Inputs: ``inputs['frames']`` ``(B, V, 3, H, W)`` normalised views (V = 1 at
    test time; the first view is the one scored) and the audio entries named
    by :attr:`audio_keys`.
    """

    #: the ``inputs`` keys holding this method's audio, in the order they are
    #: looked for; the ones present are passed to :meth:`predict_maps` by name.
    #: Empty for a method that reads no audio (e.g. the centre prior).
    audio_keys: Tuple[str, ...] = ()

    # ------------------------------------------------------------- dispatch
    def forward(self, inputs: Dict, data_samples: Optional[List] = None, mode: str = 'tensor'):
        """``'loss'``: dict of losses; ``'predict'``: data samples with
        ``pred_sim_map`` (and ``pred_score``); ``'tensor'``: the raw maps
        ``(B, h, w)`` of the first view."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.predict_maps(self.first_view(inputs), **self.audio_inputs(inputs))
        raise RuntimeError(f'{type(self).__name__}: invalid mode "{mode}"; '
                           'use "loss", "predict" or "tensor"')

    # ------------------------------------------------------------- contract
    @abstractmethod
    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """The method's training objective: ``dict(loss=..., ...)``."""

    @abstractmethod
    def predict_maps(self, frames: torch.Tensor, **audio: torch.Tensor) -> torch.Tensor:
        """``frames (B, 3, H, W)`` and the audio inputs -> raw map ``(B, h, w)``."""

    def predict_maps_and_scores(self, frames: torch.Tensor, **audio: torch.Tensor
                                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Raw maps ``(B, h, w)`` and per-sample confidences ``(B,)``, or
        ``None`` for a method that defines no confidence (the default)."""
        return self.predict_maps(frames, **audio), None

    # ------------------------------------------------------------- helpers
    def audio_inputs(self, inputs: Dict) -> Dict[str, torch.Tensor]:
        """The audio entries of ``inputs`` this method reads (:attr:`audio_keys`)."""
        audio = {key: inputs[key] for key in self.audio_keys if inputs.get(key) is not None}
        if not audio and self.audio_keys:
            raise ValueError(f'{type(self).__name__}: the inputs hold none of its audio keys '
                             f'{self.audio_keys} (they hold {sorted(inputs)}); check that the '
                             "pipeline's audio transforms and the data preprocessor's audio "
                             'front end give what the model reads')
        return audio

    @staticmethod
    def first_view(inputs: Dict) -> torch.Tensor:
        """``inputs['frames']`` ``(B, V, 3, H, W)`` -> the scored view ``(B, 3, H, W)``."""
        frames = inputs['frames']
        return frames[:, 0] if frames.dim() == 5 else frames

    def predict(self, inputs: Dict, data_samples: Optional[List] = None
                ) -> List[LocalizationDataSample]:
        """Maps of the first view as ``pred_sim_map`` ``(h, w)`` in each data
        sample, and ``pred_score`` where the method defines one."""
        sim_maps, scores = self.predict_maps_and_scores(self.first_view(inputs),
                                                        **self.audio_inputs(inputs))
        return self.to_data_samples(sim_maps, scores, data_samples)

    @staticmethod
    def to_data_samples(sim_maps: torch.Tensor, scores: Optional[torch.Tensor] = None,
                        data_samples: Optional[List] = None) -> List[LocalizationDataSample]:
        """``sim_maps`` ``(B, h, w)`` (and ``scores`` ``(B,)``) written, detached,
        as ``pred_sim_map`` (and ``pred_score``) of each data sample (new ones
        when ``data_samples`` is None)."""
        if data_samples is None:
            data_samples = [LocalizationDataSample() for _ in range(len(sim_maps))]
        for index, data_sample in enumerate(data_samples):
            data_sample.pred_sim_map = sim_maps[index].detach()
            if scores is not None:
                data_sample.pred_score = scores[index].detach()
        return data_samples
