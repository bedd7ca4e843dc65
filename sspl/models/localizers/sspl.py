"""SSPL: Self-Supervised Predictive Learning for sound source localization
(Song et al., CVPR 2022)."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from sspl.registry import MODELS
from sspl.structures import LocalizationDataSample
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
        neck: config of the PCM, or None for SSPL w/o PCM.
        head: config of the SimSiam head (with its loss).
        data_preprocessor: config of the data preprocessor.
        audio_batching: ``'batched'`` runs the audio branch once on all
            ``B x T`` examples; ``'per_sample'`` loops over the samples like the
            published code (kept as the benchmark baseline; same numbers).
        eval_both_views: in ``predict``, also run the second view and the loss
            as the published evaluation did (only the baseline needs it).

    Audio inputs: ``log_mel`` ``(B, T, 1, 96, 64)`` VGGish log-mel examples, or
    ``audio_embedding`` ``(B, T, 128)``: the frozen VGGish's embeddings of
    those examples, read from a cache by
    :class:`sspl.datasets.transforms.LoadVGGishEmbedding` (the same numbers,
    without running VGGish; refused when VGGish is trainable or when the cache
    was computed with other VGGish weights).
    """

    audio_keys = ('audio_embedding', 'log_mel')

    def __init__(self,
                 visual_backbone: Dict,
                 audio_backbone: Dict,
                 audio_head: Dict,
                 head: Dict,
                 neck: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 audio_batching: str = 'batched',
                 eval_both_views: bool = False,
                 init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='AVDataPreprocessor',
                                     audio_frontend=dict(type='VGGishLogMelFrontend'))
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if audio_batching not in ('batched', 'per_sample'):
            raise ValueError(f"SSPL: audio_batching must be 'batched' or 'per_sample', "
                             f'got {audio_batching!r}')
        self.visual_backbone = MODELS.build(visual_backbone)
        self.audio_backbone = MODELS.build(audio_backbone)
        self.audio_head = MODELS.build(audio_head)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.head = MODELS.build(head)
        self.audio_batching = audio_batching
        self.eval_both_views = eval_both_views

    @property
    def with_neck(self) -> bool:
        return self.neck is not None

    # ------------------------------------------------------------------ parts
    def extract_audio_feat(self, log_mel: Optional[torch.Tensor] = None,
                           audio_embedding: Optional[torch.Tensor] = None
                           ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(B, T, 1, 96, 64)`` log-mel examples (or their ``(B, T, 128)``
        cached VGGish embeddings) -> audio embedding ``(B, 128)``
        (L2-normalised mean of the VGGish embeddings) and audio feature
        ``(B, 512)`` (mean of the audio-head outputs)."""
        cached = audio_embedding is not None
        if cached and not getattr(self.audio_backbone, 'frozen', False):
            raise ValueError('SSPL: cached VGGish embeddings (inputs["audio_embedding"]) '
                             'are only valid with a frozen audio backbone; remove '
                             'LoadVGGishEmbedding from the pipeline or freeze VGGish')
        if not cached and log_mel is None:
            raise ValueError('SSPL: the inputs hold neither "log_mel" nor "audio_embedding"')
        examples = audio_embedding if cached else log_mel  # (B, T, 128) or (B, T, 1, 96, 64)
        if self.audio_batching == 'per_sample':
            pairs = [self._embed_examples(sample, cached) for sample in examples]
            embedding = torch.stack([emb.mean(dim=0) for emb, _ in pairs])
            feature = torch.stack([feat.mean(dim=0) for _, feat in pairs])
        else:
            batch, num_examples = examples.shape[:2]
            embedding, feature = self._embed_examples(examples.flatten(0, 1), cached)
            embedding = embedding.view(batch, num_examples, -1).mean(dim=1)
            feature = feature.view(batch, num_examples, -1).mean(dim=1)
        return F.normalize(embedding, p=2, dim=1), feature

    def _embed_examples(self, examples: torch.Tensor, cached: bool = False
                        ) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(N, 1, 96, 64)`` -> VGGish embeddings ``(N, 128)`` and audio-head
        outputs ``(N, 512)``. ``cached``: ``examples`` are the ``(N, 128)``
        VGGish embeddings already."""
        embedding = examples if cached else self.audio_backbone(examples)
        return embedding, self.audio_head(embedding)

    def check_cached_embeddings(self, data_samples: Optional[List]) -> None:
        """Refuse cached VGGish embeddings computed with other weights than this
        model's VGGish (the ``vggish_weights_hash`` the cache transform puts in
        each sample's metainfo)."""
        expected = None
        for data_sample in data_samples or []:
            cached = data_sample.metainfo.get('vggish_weights_hash')
            if cached is None:
                continue
            if expected is None:
                expected = self.audio_backbone.weights_fingerprint()
            if cached != expected:
                raise ValueError(
                    f'SSPL: the cached VGGish embeddings of sample '
                    f'{data_sample.metainfo.get("sample_id")} were computed with other VGGish '
                    f'weights (fingerprint {cached[:12]}, model {expected[:12]}, cache '
                    f'{data_sample.metainfo.get("vggish_cache_dir")}); point the pipeline\'s '
                    'LoadVGGishEmbedding at the weights the model loads')

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
        """One view: PCM (if any), similarity map and attention pooling."""
        if self.with_neck:
            visual_map = self.neck(visual_map, audio_embedding)
        sim_map = self.similarity_map(visual_map, audio_feature)
        fav, att_map = self.attention_pool(visual_map, sim_map)
        return dict(visual_map=visual_map, sim_map=sim_map, att_map=att_map, fav=fav)

    def forward_views(self, frames: torch.Tensor, log_mel: Optional[torch.Tensor] = None,
                      audio_embedding: Optional[torch.Tensor] = None) -> Dict:
        """The full two-view computation.

        Args:
            frames: ``(B, 2, 3, H, W)`` normalised views.
            log_mel: ``(B, T, 1, 96, 64)``.
            audio_embedding: ``(B, T, 128)`` cached VGGish embeddings, instead
                of ``log_mel``.

        Returns a dict with ``audio_embedding`` ``(B, 128)``, ``audio_feature``
        ``(B, 512)``, per view (``view1``, ``view2``) the backbone map, the neck
        output, ``sim_map``, ``att_map`` and ``fav``; ``p1, p2, z1, z2`` and ``loss``.
        """
        batch, num_views = frames.shape[:2]
        if num_views != 2:
            raise ValueError(f'SSPL needs 2 views per sample for training, got {num_views}')
        audio_embedding, audio_feature = self.extract_audio_feat(log_mel, audio_embedding)
        # Both views through the (frozen, BN-free) backbone in one call.
        backbone_maps = self.extract_visual_feat(frames.transpose(0, 1).flatten(0, 1))
        backbone_maps = backbone_maps.view(num_views, batch, *backbone_maps.shape[1:])
        out = dict(audio_embedding=audio_embedding, audio_feature=audio_feature)
        # The PCM and the head see one view at a time: their batch-norm
        # statistics are per view, as in the published code.
        for index in range(num_views):
            view = self.localize(backbone_maps[index], audio_embedding, audio_feature)
            view['backbone_map'] = backbone_maps[index]
            out[f'view{index + 1}'] = view
        p1, p2, z1, z2 = self.head(out['view1']['fav'], out['view2']['fav'])
        out.update(p1=p1, p2=p2, z1=z1, z2=z2, loss=self.head.loss(p1, p2, z1, z2))
        return out

    # ------------------------------------------------------------- modes
    def loss(self, inputs: Dict, data_samples: Optional[List] = None) -> Dict[str, torch.Tensor]:
        """SimSiam loss of the two views: ``dict(loss=...)``."""
        self.check_cached_embeddings(data_samples)
        return dict(loss=self.forward_views(inputs['frames'], inputs.get('log_mel'),
                                            inputs.get('audio_embedding'))['loss'])

    def predict_maps(self, frames: torch.Tensor, log_mel: Optional[torch.Tensor] = None,
                     audio_embedding: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Raw similarity map of one view.

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

    def predict(self, inputs: Dict, data_samples: Optional[List] = None) -> List:
        """Localisation maps of the first view, stored as ``pred_sim_map``
        ``(14, 14)`` in each data sample."""
        self.check_cached_embeddings(data_samples)
        frames = inputs['frames']
        audio = dict(log_mel=inputs.get('log_mel'), audio_embedding=inputs.get('audio_embedding'))
        if self.eval_both_views:  # the published evaluation: both (equal) views and the loss
            views = frames[:, :2] if frames.shape[1] >= 2 else frames[:, :1].expand(
                -1, 2, -1, -1, -1)
            sim_maps = self.forward_views(views, **audio)['view1']['sim_map']
        else:
            sim_maps = self.predict_maps(frames[:, 0], **audio)
        if data_samples is None:
            data_samples = [LocalizationDataSample() for _ in range(len(sim_maps))]
        for data_sample, sim_map in zip(data_samples, sim_maps):
            data_sample.pred_sim_map = sim_map.detach()
        return data_samples
