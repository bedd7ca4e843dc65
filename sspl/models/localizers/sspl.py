"""SSPL: Self-Supervised Predictive Learning for sound source localization
(Song et al., CVPR 2022)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from sspl.registry import MODELS
from .base import BaseLocalizer


@MODELS.register_module()
class SSPL(BaseLocalizer):
    """Sound source localizer trained with SimSiam on two views of a frame.

    For a clip with frame views ``v1, v2`` and VGGish log-mel examples:

    1. audio: frozen VGGish on every one-second example, the trainable audio
       head on top; mean over the examples gives a 128-d embedding (L2
       normalised, for the PCM) and a 512-d feature (for the similarity map);
    2. vision: frozen VGG16 gives a ``(512, 14, 14)`` map per view; the PCM neck
       (optional) transforms it under the audio embedding;
    3. localisation: cosine similarity between the audio feature and every
       position of the map gives the raw map ``S`` ``(14, 14)``;
    4. pooling: ``A = minmax(S)``; the audio-visual feature is ``sum(A * V)``;
    5. SimSiam head and loss on the pooled features of the two views.

    Args:
        visual_backbone: config of the visual backbone (``VGG16``).
        audio_backbone: config of the audio backbone (``VGGish``).
        audio_head: config of the trainable audio head (``AudioHead``).
        head: config of the SimSiam head (with its loss).
        neck: config of the PCM, or None for SSPL w/o PCM.
        data_preprocessor: config of the data preprocessor.

    Audio inputs: ``log_mel`` ``(B, T, 1, 96, 64)`` VGGish log-mel examples, or
    ``audio_embedding`` ``(B, T, 128)``: the frozen VGGish's embeddings of
    those examples, read from a cache by
    :class:`sspl.datasets.transforms.LoadVGGishEmbedding` (the same numbers,
    without running VGGish; refused when VGGish is trainable; the cache's
    weights fingerprint is checked against this model's VGGish by
    :class:`sspl.engine.hooks.EmbeddingCacheCheckHook`).

    The audio branch runs once on all ``B x T`` examples of a batch and
    evaluation runs the one test view: the same numbers as the published
    computation (per-sample audio loop, both views and the loss at
    evaluation), which :class:`sspl.models.localizers.PublishedSSPL` keeps as
    the benchmark's baseline.
    """

    audio_keys = ('audio_embedding', 'log_mel')

    def __init__(self,
                 visual_backbone: Dict,
                 audio_backbone: Dict,
                 audio_head: Dict,
                 head: Dict,
                 neck: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='AVDataPreprocessor',
                                     audio_frontend=dict(type='VGGishLogMelFrontend'))
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.visual_backbone = MODELS.build(visual_backbone)
        self.audio_backbone = MODELS.build(audio_backbone)
        self.audio_head = MODELS.build(audio_head)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)

    @property
    def with_neck(self) -> bool:
        return self.neck is not None

    # ------------------------------------------------------------- the method
    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """SimSiam loss between the audio-attended features of the two views.

        ``inputs['frames']`` ``(B, 2, 3, H, W)`` and the audio (``log_mel``
        or ``audio_embedding``) -> ``dict(loss=...)``.
        """
        audio_embedding, audio_feature = self.extract_audio_feat(**self.audio_inputs(inputs))
        view1, view2 = self.localize_views(inputs['frames'], audio_embedding, audio_feature)
        p1, p2, z1, z2 = self.head(view1['fav'], view2['fav'])
        return dict(loss=self.head.loss(p1, p2, z1, z2))

    def predict_maps(self, frames: torch.Tensor, log_mel: Optional[torch.Tensor] = None,
                     audio_embedding: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Raw similarity map of one view: the cosine between the audio feature
        and each position of the (PCM-transformed) visual map.

        Args:
            frames: ``(B, 3, 224, 224)`` normalised frames.
            log_mel: ``(B, T, 1, 96, 64)`` VGGish log-mel examples.
            audio_embedding: ``(B, T, 128)`` cached VGGish embeddings, instead
                of ``log_mel``.

        Returns:
            ``(B, 14, 14)`` raw cosine-similarity map (in eval mode: the batch
            norms of the PCM use their running statistics).
        """
        audio_embedding, audio_feature = self.extract_audio_feat(log_mel, audio_embedding)
        visual_map = self.extract_visual_feat(frames)
        return self.localize(visual_map, audio_embedding, audio_feature)['sim_map']

    # ------------------------------------------------------------------ parts
    def extract_audio_feat(self, log_mel: Optional[torch.Tensor] = None,
                           audio_embedding: Optional[torch.Tensor] = None
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, 1, 96, 64)`` log-mel examples (or their ``(B, T, 128)``
        cached VGGish embeddings) -> audio embedding ``(B, 128)``
        (L2-normalised mean of the VGGish embeddings) and audio feature
        ``(B, 512)`` (mean of the audio-head outputs), the branch run once on
        all ``B x T`` examples."""
        examples, cached = self._audio_examples(log_mel, audio_embedding)
        batch, num_examples = examples.shape[:2]
        embedding, feature = self._embed_examples(examples.flatten(0, 1), cached)
        embedding = embedding.view(batch, num_examples, -1).mean(dim=1)
        feature = feature.view(batch, num_examples, -1).mean(dim=1)
        return F.normalize(embedding, p=2, dim=1), feature

    def _audio_examples(self, log_mel: Optional[torch.Tensor],
                        audio_embedding: Optional[torch.Tensor]) -> Tuple[torch.Tensor, bool]:
        """The audio examples to embed and whether they are cached embeddings."""
        cached = audio_embedding is not None
        if cached and not getattr(self.audio_backbone, 'frozen', False):
            raise ValueError('SSPL: cached VGGish embeddings (inputs["audio_embedding"]) '
                             'are only valid with a frozen audio backbone; remove '
                             'LoadVGGishEmbedding from the pipeline or freeze VGGish')
        if not cached and log_mel is None:
            raise ValueError('SSPL: the inputs hold neither "log_mel" nor "audio_embedding"')
        return (audio_embedding if cached else log_mel), cached

    def _embed_examples(self, examples: torch.Tensor, cached: bool = False
                        ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(N, 1, 96, 64)`` -> VGGish embeddings ``(N, 128)`` and audio-head
        outputs ``(N, 512)``. ``cached``: ``examples`` are the ``(N, 128)``
        VGGish embeddings already."""
        embedding = examples if cached else self.audio_backbone(examples)
        return embedding, self.audio_head(embedding)

    def extract_visual_feat(self, frames: torch.Tensor) -> torch.Tensor:
        """``(N, 3, 224, 224)`` normalised frames -> ``(N, 512, 14, 14)``."""
        return self.visual_backbone(frames)

    @staticmethod
    def similarity_map(visual_map: torch.Tensor, audio_feature: torch.Tensor) -> torch.Tensor:
        """Cosine similarity of ``(B, C)`` audio feature with each position of the
        ``(B, C, H, W)`` visual map -> raw localisation map ``(B, H, W)``."""
        visual_map = F.normalize(visual_map, p=2, dim=1)
        audio_feature = F.normalize(audio_feature, p=2, dim=1)
        return torch.einsum('bchw,bc->bhw', visual_map, audio_feature)

    @staticmethod
    def attention_pool(visual_map: torch.Tensor, sim_map: torch.Tensor
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Min-max normalise ``sim_map`` ``(B, H, W)`` into the attention map ``A``
        and pool the un-normalised ``(B, C, H, W)`` visual map with it:
        ``sum over positions of A * V`` ``(B, C)``. Returns ``(fav, A)``."""
        flat = sim_map.flatten(1)
        low = flat.min(dim=1, keepdim=True).values
        high = flat.max(dim=1, keepdim=True).values
        att_map = ((flat - low) / (high - low + 1e-10)).view_as(sim_map)
        fav = torch.einsum('bchw,bhw->bc', visual_map, att_map)
        return fav, att_map

    def localize(self, visual_map: torch.Tensor, audio_embedding: torch.Tensor,
                 audio_feature: torch.Tensor) -> Dict[str, torch.Tensor]:
        """One view: PCM (if any), similarity map and attention pooling.

        ``visual_map`` ``(B, C, h, w)``, ``audio_embedding`` ``(B, 128)``,
        ``audio_feature`` ``(B, C)`` -> ``visual_map`` (the PCM output),
        ``sim_map`` / ``att_map`` ``(B, h, w)`` and ``fav`` ``(B, C)``."""
        if self.with_neck:
            visual_map = self.neck(visual_map, audio_embedding)
        sim_map = self.similarity_map(visual_map, audio_feature)
        fav, att_map = self.attention_pool(visual_map, sim_map)
        return dict(visual_map=visual_map, sim_map=sim_map, att_map=att_map, fav=fav)

    def localize_views(self, frames: torch.Tensor, audio_embedding: torch.Tensor,
                       audio_feature: torch.Tensor) -> List[Dict[str, torch.Tensor]]:
        """:meth:`localize` on each of the two views ``frames`` ``(B, 2, 3, H, W)``;
        each view's dict also holds its ``backbone_map``.

        Both views go through the (frozen, BN-free) backbone in one call; the
        PCM and the head see one view at a time, so their batch-norm
        statistics are per view, as in the published code."""
        batch, num_views = frames.shape[:2]
        if num_views != 2:
            raise ValueError(f'SSPL needs 2 views per sample for training, got {num_views}')
        backbone_maps = self.extract_visual_feat(frames.transpose(0, 1).flatten(0, 1))
        backbone_maps = backbone_maps.view(num_views, batch, *backbone_maps.shape[1:])
        views = []
        for backbone_map in backbone_maps:
            view = self.localize(backbone_map, audio_embedding, audio_feature)
            view['backbone_map'] = backbone_map
            views.append(view)
        return views

    def forward_views(self, frames: torch.Tensor, log_mel: Optional[torch.Tensor] = None,
                      audio_embedding: Optional[torch.Tensor] = None) -> Dict:
        """The full two-view computation with every intermediate (what the
        parity tests compare with the published code; :meth:`loss` is its
        ``loss``).

        Args:
            frames: ``(B, 2, 3, H, W)`` normalised views.
            log_mel: ``(B, T, 1, 96, 64)``.
            audio_embedding: ``(B, T, 128)`` cached VGGish embeddings, instead
                of ``log_mel``.

        Returns a dict with ``audio_embedding`` ``(B, 128)``, ``audio_feature``
        ``(B, 512)``, per view (``view1``, ``view2``) the backbone map, the neck
        output, ``sim_map``, ``att_map`` and ``fav``; ``p1, p2, z1, z2`` and ``loss``.
        """
        audio_embedding, audio_feature = self.extract_audio_feat(log_mel, audio_embedding)
        view1, view2 = self.localize_views(frames, audio_embedding, audio_feature)
        p1, p2, z1, z2 = self.head(view1['fav'], view2['fav'])
        return dict(audio_embedding=audio_embedding, audio_feature=audio_feature,
                    view1=view1, view2=view2, p1=p1, p2=p2, z1=z1, z2=z2,
                    loss=self.head.loss(p1, p2, z1, z2))
