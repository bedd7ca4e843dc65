"""EZ-VSL, SLAVC and FNAC computed the way their published code computes them:
the benchmark's baselines (``tools/analysis/benchmark.py --baseline``), not
models to train (so not registered: the benchmark builds them by class).

Where the published computation differs from the localizers':

- inputs: the frames arrive normalised by the data workers (float32
  ``(B, 3, 224, 224)``, four times the bytes of the packed uint8 frames) and
  the spectrogram in float64, cast by the model (``image.float(),
  spec.float()``): :class:`PublishedVSLDataPreprocessor` (the workers'
  side is :class:`sspl.datasets.transforms.PublishedVSLLoading`);
- evaluation: the published ``validate`` calls the training forward
  (``model(image, spec)``; SLAVC with ``mode='test'``) without
  ``torch.no_grad()``: every feature (SLAVC's momentum networks' too), the
  loss and the autograd graph of it all, for a map of the diagonal. The
  localizers' ``predict`` computes the map alone, without a graph;
- no channels-last layout (the benchmark turns it off);
- SLAVC's momentum update: the published loop, two temporaries and a copy
  per parameter (the localizer updates all parameters of a modality in
  one multi-tensor pass, with the same roundings).

The training forward, loss and backward are the published ones already
(the localizers compute them the same way, batched as published), so the
baselines inherit them.
"""
from typing import Dict, List, Optional, Tuple

import torch
from mmengine.model import BaseDataPreprocessor

from .ezvsl import EZVSL
from .fnac import FNAC
from .slavc import ONLINE_PARTS, SLAVC


class PublishedVSLDataPreprocessor(BaseDataPreprocessor):
    """The published model's inputs: ``frames`` already normalised (float32,
    ``(B, 3, H, W)``), ``spectrogram`` ``(B, 1, 257, T)`` cast to float32
    where the published model casts it; stacked and moved to the device."""

    def forward(self, data: Dict, training: bool = False) -> Dict:
        inputs = {key: torch.stack(list(value)) if isinstance(value, (list, tuple)) else value
                  for key, value in data['inputs'].items()}
        data = self.cast_data({'inputs': inputs, 'data_samples': data.get('data_samples')})
        inputs = data['inputs']
        inputs['frames'] = inputs['frames'].float()
        inputs['spectrogram'] = inputs['spectrogram'].float()
        return dict(inputs=inputs, data_samples=data['data_samples'])


class PublishedEvaluation:
    """Evaluation as the published ``validate``: :meth:`published_forward`
    (the training forward and loss) with autograd on; the map is written as
    ``pred_sim_map`` (no confidence: the published evaluators compute it
    with the metric, which the benchmark does not time)."""

    def published_forward(self, inputs: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(loss, maps (B, h, w))`` of the published forward."""
        raise NotImplementedError

    def predict(self, inputs: Dict, data_samples: Optional[List] = None) -> List:
        with torch.enable_grad():
            _, sim_maps = self.published_forward(inputs)
        return self.to_data_samples(sim_maps, None, data_samples)


class PublishedEZVSL(PublishedEvaluation, EZVSL):
    """EZ-VSL's published forward: features, the max-MIL loss over the batch
    and the map ``S[n, n]``."""

    def published_forward(self, inputs: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
        visual_map, audio_embedding = self.extract_feats(inputs)
        loss = self.loss_module(visual_map, audio_embedding)
        return loss, self.own_similarity_map(visual_map, audio_embedding)


class PublishedFNAC(PublishedEvaluation, FNAC):
    """FNAC's published forward: features, all four loss terms
    (``calculate_loss`` computes them in every epoch) and the map."""

    def published_forward(self, inputs: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
        visual_map, audio_embedding = self.extract_feats(inputs)
        terms = self.loss_module(visual_map, audio_embedding, epoch=self.current_epoch())
        return terms['loss'], self.own_similarity_map(visual_map, audio_embedding)


class PublishedSLAVC(PublishedEvaluation, SLAVC):
    """SLAVC's published ``forward(mode='test')``: online and momentum
    features of both heads, the loss, no momentum update, the map of the
    online (or, with ``use_momentum_features``, momentum) features."""

    @torch.no_grad()
    def momentum_update(self) -> None:
        """The published update: ``p_m = p_m * m + p * (1 - m)``, parameter
        by parameter."""
        for name in ONLINE_PARTS:
            factor = self.visual_momentum if name.startswith('visual') else self.audio_momentum
            online = getattr(self, name).parameters()
            target = getattr(self, f'momentum_{name}').parameters()
            for param, momentum_param in zip(online, target):
                momentum_param.copy_(momentum_param * factor + param * (1. - factor))

    def published_forward(self, inputs: Dict) -> Tuple[torch.Tensor, torch.Tensor]:
        out = self.forward_train(self.first_view(inputs), inputs['spectrogram'],
                                 update_momentum=False)
        if self.test_cfg['use_momentum_features']:
            maps = self.map_from(out['target_visual_maps'], out['target_audio_embeddings'])
        else:
            maps = self.map_from(out['visual_maps'], out['audio_embeddings'])
        return out['loss'], maps


#: localizer class -> the class computing it as published (nearest base wins)
PUBLISHED_COMPUTATION = {EZVSL: PublishedEZVSL, FNAC: PublishedFNAC, SLAVC: PublishedSLAVC}


def published_class_for(model_class: type) -> Optional[type]:
    """The published-computation class of ``model_class`` (looked up along
    its bases, so FNAC, an EZVSL, gets its own), or None."""
    for klass in model_class.__mro__:
        if klass in PUBLISHED_COMPUTATION:
            return PUBLISHED_COMPUTATION[klass]
    return None
