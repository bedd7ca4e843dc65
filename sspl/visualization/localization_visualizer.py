"""Heatmap overlays of sound source localisation maps."""
import os
import os.path as osp
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmengine.visualization import Visualizer

from sspl.evaluation.functional import (as_map, normalize_map, predicted_mask, resize_map,
                                        score_samples, upsample_maps)
from sspl.registry import VISUALIZERS

Box = Tuple[float, float, float, float]


def heatmap_to_rgb(sim_map, size: Tuple[int, int]) -> np.ndarray:
    """Colour a raw ``(h, w)`` map for display.

    The map is resized bilinearly to ``size`` ``(H, W)`` (as the metric does),
    min-max normalised (a constant map becomes all zeros: uniform blue) and
    coloured with OpenCV's JET colormap. Returns ``(H, W, 3)`` uint8 RGB.
    """
    heat = normalize_map(resize_map(as_map(sim_map), size))
    heat = np.nan_to_num(heat, nan=0.0, posinf=1.0, neginf=0.0)
    colored = cv2.applyColorMap(np.uint8(np.clip(heat, 0, 1) * 255), cv2.COLORMAP_JET)
    return cv2.cvtColor(colored, cv2.COLOR_BGR2RGB)


def map_peak(sim_map, size: Tuple[int, int]) -> Tuple[float, float]:
    """``(x, y)`` of the map's maximum in a ``size`` = (H, W) view, found as
    the ``pointing`` protocol finds it (bilinear upsampling with
    align_corners=True; tied peak pixels: their centroid)."""
    upsampled = upsample_maps(np.asarray(as_map(sim_map), dtype=np.float32)[None],
                              size, 'bilinear', True)[0]
    rows, cols = np.nonzero(upsampled == upsampled.max())
    return float(cols.mean()), float(rows.mean())


def overlay_heatmap(image: np.ndarray, sim_map, alpha: float = 0.5,
                    region: Optional[Box] = None) -> np.ndarray:
    """Blend the coloured map into ``image`` like the published ``save_visual``
    (``image * (1 - alpha) + heatmap * alpha``).

    Args:
        image: ``(H, W, 3)`` uint8 RGB frame.
        sim_map: raw ``(h, w)`` map (numpy or tensor).
        alpha: weight of the heatmap.
        region: ``(x0, y0, x1, y1)`` pixels of ``image`` that the map covers
            (e.g. the centre crop the network saw); ``None``: the whole image.
            Pixels outside it are left as they are.

    Returns:
        ``(H, W, 3)`` uint8 RGB.
    """
    image = np.ascontiguousarray(image, dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'overlay_heatmap: image must be (H, W, 3), got {image.shape}')
    height, width = image.shape[:2]
    if region is None:
        x0, y0, x1, y1 = 0, 0, width, height
    else:
        x0, y0, x1, y1 = (int(round(v)) for v in region)
        x0, x1 = max(x0, 0), min(x1, width)
        y0, y1 = max(y0, 0), min(y1, height)
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f'overlay_heatmap: region {region} lies outside the '
                             f'{width}x{height} image')
    # The map spans the whole region, which may reach beyond the image: colour
    # it at the region's full size, then keep the part inside the image.
    full = region if region is not None else (0, 0, width, height)
    full_w = max(int(round(full[2])) - int(round(full[0])), 1)
    full_h = max(int(round(full[3])) - int(round(full[1])), 1)
    heat = heatmap_to_rgb(sim_map, (full_h, full_w))
    off_x, off_y = x0 - int(round(full[0])), y0 - int(round(full[1]))
    heat = heat[off_y:off_y + (y1 - y0), off_x:off_x + (x1 - x0)]
    out = image.copy()
    out[y0:y1, x0:x1] = cv2.addWeighted(image[y0:y1, x0:x1], 1 - alpha, heat, alpha, 0)
    return out


@VISUALIZERS.register_module()
class LocalizationVisualizer(Visualizer):
    """Draws where a localizer thinks the sound comes from.

    ``add_datasample`` overlays the predicted heatmap (JET, blended like the
    published ``save_visual``) on the frame, outlines the predicted region
    (the map thresholded as the metric does), draws the ground-truth boxes,
    marks the map's peak (a ring: green where it falls in the box, the
    pointing game's hit, red where it misses, white without a box) and writes
    the sample's cIoU and hit / miss in a corner. A frame smaller than
    ``min_size`` is drawn enlarged, so the result is readable. The result goes
    to a PNG (``out_file``) or to the visualizer's backends (e.g. TensorBoard).

    Drawing uses OpenCV on a copy of the frame (not the shared matplotlib
    canvas), so every rank of a distributed test can write its own overlays.

    Args:
        name, image, vis_backends, save_dir: see :class:`mmengine.visualization.Visualizer`.
        alpha: heatmap weight in the blend.
        threshold: how the predicted region is outlined: a float (fixed
            protocol, 0.5) or ``'median'`` (top 50%); ``None``: no outline.
        gt_color, pred_color: RGB colours of the boxes and of the outline.
        line_width: in pixels (of a 224 px drawing; scaled with its size).
        min_size: draw on the frame enlarged (bilinear) so that its short side
            is at least this many pixels; ``None``: at the frame's size.
        draw_peak: mark the map's peak and say hit / miss.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[Sequence[dict]] = None,
                 save_dir: Optional[str] = None,
                 alpha: float = 0.5,
                 threshold: Union[float, str, None] = 0.5,
                 gt_color: Tuple[int, int, int] = (0, 255, 0),
                 pred_color: Tuple[int, int, int] = (255, 255, 255),
                 line_width: int = 2,
                 min_size: Optional[int] = None,
                 draw_peak: bool = True,
                 hit_color: Tuple[int, int, int] = (0, 255, 0),
                 miss_color: Tuple[int, int, int] = (255, 40, 40),
                 **kwargs):
        super().__init__(name=name, image=image, vis_backends=vis_backends,
                         save_dir=save_dir, **kwargs)
        self.alpha = alpha
        self.threshold = threshold
        self.gt_color = tuple(int(c) for c in gt_color)
        self.pred_color = tuple(int(c) for c in pred_color)
        self.line_width = line_width
        self.min_size = None if min_size is None else int(min_size)
        self.draw_peak = bool(draw_peak)
        self.hit_color = tuple(int(c) for c in hit_color)
        self.miss_color = tuple(int(c) for c in miss_color)
        self._scale = 1.0  # of the drawing being made, against 224 px

    @staticmethod
    def _get(data_sample, key):
        if data_sample is None:
            return None
        value = data_sample.get(key)
        return value

    def draw_localization(self, image: np.ndarray, data_sample=None, draw_gt: bool = True,
                          draw_pred: bool = True) -> np.ndarray:
        """The overlay of one sample.

        Args:
            image: ``(H, W, 3)`` uint8 RGB frame; usually the network's input
                view (``img_shape``). Boxes given in ``img_shape`` pixels are
                rescaled to ``image``'s size.
            data_sample: :class:`sspl.structures.LocalizationDataSample` (or a
                dict) with ``pred_sim_map`` ``(h, w)``, optionally ``gt_map``,
                and metainfo ``gt_bboxes`` ``(N, 4)``, ``img_shape`` and
                ``view_box`` (the part of ``image`` the map covers).

        Returns:
            ``(H', W', 3)`` uint8 RGB: ``image``'s size, or enlarged to
            ``min_size``.
        """
        image = as_map(image)
        if image.ndim == 3 and image.shape[0] == 3 and image.shape[2] != 3:
            image = image.transpose(1, 2, 0)  # (3, H, W) -> (H, W, 3)
        drawn = np.ascontiguousarray(image, dtype=np.uint8).copy()
        img_shape = self._get(data_sample, 'img_shape') or drawn.shape[:2]
        view_box = self._get(data_sample, 'view_box')
        factor = 1.0
        if self.min_size is not None and min(drawn.shape[:2]) < self.min_size:
            factor = self.min_size / min(drawn.shape[:2])
            drawn = cv2.resize(drawn, (int(round(drawn.shape[1] * factor)),
                                       int(round(drawn.shape[0] * factor))),
                               interpolation=cv2.INTER_LINEAR)
            if view_box is not None:
                view_box = tuple(float(v) * factor for v in view_box)
        height, width = drawn.shape[:2]
        self._scale = max(min(height, width) / 224.0, 0.5)
        scale_x, scale_y = width / img_shape[1], height / img_shape[0]
        sim_map = self._get(data_sample, 'pred_sim_map')
        finite = sim_map is not None and bool(np.all(np.isfinite(as_map(sim_map))))
        gt_map = self._get(data_sample, 'gt_map')
        has_gt = gt_map is not None and float(as_map(gt_map).sum()) > 0

        if draw_pred and sim_map is not None:
            drawn = overlay_heatmap(drawn, sim_map, self.alpha, view_box)
            if self.threshold is not None:
                self._draw_outline(drawn, sim_map, view_box)
        if draw_gt:
            boxes = self._get(data_sample, 'gt_bboxes')
            if boxes is not None:
                for x0, y0, x1, y1 in as_map(boxes).reshape(-1, 4):
                    cv2.rectangle(drawn, (int(round(x0 * scale_x)), int(round(y0 * scale_y))),
                                  (int(round(x1 * scale_x)) - 1, int(round(y1 * scale_y)) - 1),
                                  self.gt_color, self._width())
        labels = []
        if draw_pred and finite and has_gt:
            labels.append(f'cIoU {self.sample_ciou(sim_map, gt_map):.2f}')
        if draw_pred and finite and self.draw_peak:
            hit = self.sample_hit(sim_map, gt_map) if has_gt else None
            self._draw_peak(drawn, sim_map, view_box, hit)
            if hit is not None:
                labels.append('hit' if hit >= 0.5 else 'miss')
        if labels:
            self._draw_label(drawn, '  '.join(labels))
        return drawn

    def sample_ciou(self, sim_map, gt_map) -> float:
        """The sample's cIoU as the metric scores it: the ``fixed`` protocol
        at ``threshold`` (0.5 without one), or ``median``."""
        threshold = 0.5 if self.threshold is None else self.threshold
        raw = np.asarray(as_map(sim_map), dtype=np.float32)[None]
        gt = np.asarray(as_map(gt_map), dtype=np.float64)[None]
        if threshold == 'median':
            return float(score_samples('median', raw, gt)['ciou'][0])
        return float(score_samples('fixed', raw, gt, threshold=float(threshold))['ciou'][0])

    @staticmethod
    def sample_hit(sim_map, gt_map) -> float:
        """The sample's pointing-game hit as the metric scores it (``pointing``
        protocol: 1 when the map's peak falls in the box; tied peaks share)."""
        raw = np.asarray(as_map(sim_map), dtype=np.float32)[None]
        gt = np.asarray(as_map(gt_map), dtype=np.float64)[None]
        return float(score_samples('pointing', raw, gt)['hit'][0])

    def _width(self, base: Optional[int] = None) -> int:
        return max(int(round((self.line_width if base is None else base) * self._scale)), 1)

    def _draw_peak(self, drawn: np.ndarray, sim_map, view_box, hit: Optional[float]) -> None:
        height, width = drawn.shape[:2]
        x0, y0, x1, y1 = (0, 0, width, height) if view_box is None else (
            int(round(v)) for v in view_box)
        peak_x, peak_y = map_peak(sim_map, (max(y1 - y0, 1), max(x1 - x0, 1)))
        centre = (int(round(x0 + peak_x)), int(round(y0 + peak_y)))
        colour = (255, 255, 255) if hit is None else (
            self.hit_color if hit >= 0.5 else self.miss_color)
        radius = max(int(round(7 * self._scale)), 3)
        cv2.circle(drawn, centre, radius + self._width(1), (0, 0, 0), self._width(1),
                   cv2.LINE_AA)
        cv2.circle(drawn, centre, radius, colour, self._width(), cv2.LINE_AA)

    def _draw_outline(self, drawn: np.ndarray, sim_map, view_box) -> None:
        height, width = drawn.shape[:2]
        x0, y0, x1, y1 = (0, 0, width, height) if view_box is None else (
            int(round(v)) for v in view_box)
        if not np.all(np.isfinite(as_map(sim_map))):
            return
        mask = predicted_mask(sim_map, (max(y1 - y0, 1), max(x1 - x0, 1)), self.threshold)
        contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                       cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(drawn, contours, -1, self.pred_color,
                         self._width(max(self.line_width - 1, 1)), offset=(x0, y0))

    def _draw_label(self, drawn: np.ndarray, text: str) -> None:
        scale = max(min(drawn.shape[:2]), 120) / 400
        thickness = max(int(round(scale * 2)), 1)
        (text_w, text_h), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale,
                                                     thickness)
        cv2.rectangle(drawn, (0, 0), (text_w + 6, text_h + baseline + 6), (0, 0, 0), -1)
        cv2.putText(drawn, text, (3, text_h + 3), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), thickness, cv2.LINE_AA)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw one sample (see :meth:`draw_localization`) and write it to
        ``out_file`` (PNG, the frame's size), or else to the backends under
        ``name`` at ``step``; ``show`` also opens a window. Returns the
        ``(H, W, 3)`` uint8 RGB overlay."""
        drawn = self.draw_localization(image, data_sample, draw_gt, draw_pred)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            out_dir = osp.dirname(osp.abspath(out_file))
            os.makedirs(out_dir, exist_ok=True)
            if not cv2.imwrite(out_file, cv2.cvtColor(drawn, cv2.COLOR_RGB2BGR)):
                raise OSError(f'LocalizationVisualizer: could not write {out_file}')
        else:
            self.add_image(name, drawn, step)
        return drawn
