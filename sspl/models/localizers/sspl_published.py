"""SSPL computed the way the published code computes it: the benchmark's
baseline (``tools/analysis/benchmark.py --baseline``), not a model to train.

:class:`SSPL` gives the same numbers faster; the fast-path tests
(``tests/test_models/test_localizers/test_sspl_fast_paths.py``) hold the two equal within the
parity tolerance, so the benchmark's speed-ups compare like with like.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F

from sspl.registry import MODELS
from .sspl import SSPL


@MODELS.register_module()
class PublishedSSPL(SSPL):
    """:class:`SSPL` with the published computation's two slow paths:

    - the audio branch loops over the samples (one VGGish and audio-head call
      per clip on its ``T`` examples), as the published ``forward`` did;
    - evaluation runs both views, the SimSiam head and the loss, and keeps
      view 1's map (the published evaluation; the test view is given twice
      when the sample has one view).

    Same arguments as :class:`SSPL`.
    """

    def extract_audio_feat(self, log_mel: Optional[torch.Tensor] = None,
                           audio_embedding: Optional[torch.Tensor] = None
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
        """As :meth:`SSPL.extract_audio_feat`, one sample at a time."""
        examples, cached = self._audio_examples(log_mel, audio_embedding)
        pairs = [self._embed_examples(sample, cached) for sample in examples]
        embedding = torch.stack([sample_embedding.mean(dim=0) for sample_embedding, _ in pairs])
        feature = torch.stack([sample_feature.mean(dim=0) for _, sample_feature in pairs])
        return F.normalize(embedding, p=2, dim=1), feature

    def predict(self, inputs: Dict, data_samples: Optional[List] = None) -> List:
        """The published evaluation: both views through :meth:`forward_views`
        (head and loss included); view 1's raw map is ``pred_sim_map``."""
        frames = inputs['frames']
        if frames.dim() == 4:
            frames = frames.unsqueeze(1)
        views = frames[:, :2] if frames.shape[1] >= 2 else frames[:, :1].expand(
            -1, 2, -1, -1, -1)
        sim_maps = self.forward_views(views, **self.audio_inputs(inputs))['view1']['sim_map']
        return self.to_data_samples(sim_maps, None, data_samples)
