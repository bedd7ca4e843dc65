"""A grid of overlays: what a reader looks at first."""
import os
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np


def evenly_spaced(total: int, count: int) -> List[int]:
    """``count`` indices spread evenly over ``range(total)``, first and last
    included (all of them when ``total <= count``): a fixed rule that picks
    the samples to show without looking at how well they scored."""
    if total <= 0 or count <= 0:
        return []
    if total <= count:
        return list(range(total))
    return [int(round(i * (total - 1) / (count - 1))) for i in range(count)] if count > 1 \
        else [0]


def _text_block(text: str, width: int, scale: float, colour=(0, 0, 0),
                background=(255, 255, 255)) -> np.ndarray:
    """``text`` (lines split at newlines) drawn on a ``width``-wide band."""
    lines = text.split('\n')
    thickness = max(int(round(scale * 2)), 1)
    (_, line_h), baseline = cv2.getTextSize('Ag', cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    step = line_h + baseline + 6
    band = np.full((step * len(lines) + 6, width, 3), background, dtype=np.uint8)
    for row, line in enumerate(lines):
        cv2.putText(band, line, (6, 6 + line_h + row * step), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    colour, thickness, cv2.LINE_AA)
    return band


def image_grid(images: Sequence[np.ndarray], cols: int, pad: int = 4,
               captions: Optional[Sequence[str]] = None, title: Optional[str] = None,
               background=(255, 255, 255)) -> np.ndarray:
    """Tile ``(H, W, 3)`` uint8 RGB images row by row into ``cols`` columns.

    Every cell takes the size of the largest image (smaller ones are centred);
    ``captions`` (one per image) go under each cell, ``title`` (may hold
    newlines) above the grid. Returns ``(H', W', 3)`` uint8 RGB."""
    if not images:
        raise ValueError('image_grid: no images')
    if cols < 1:
        raise ValueError(f'image_grid: cols must be >= 1, got {cols}')
    if captions is not None and len(captions) != len(images):
        raise ValueError(f'image_grid: {len(captions)} captions for {len(images)} images')
    cell_h = max(image.shape[0] for image in images)
    cell_w = max(image.shape[1] for image in images)
    scale = max(cell_w, 160) / 560
    caption_h = _text_block('x', cell_w, scale).shape[0] if captions else 0
    rows = (len(images) + cols - 1) // cols
    grid = np.full((pad + rows * (cell_h + caption_h + pad), pad + cols * (cell_w + pad), 3),
                   background, dtype=np.uint8)
    for index, image in enumerate(images):
        row, col = divmod(index, cols)
        top = pad + row * (cell_h + caption_h + pad)
        left = pad + col * (cell_w + pad)
        y = top + (cell_h - image.shape[0]) // 2
        x = left + (cell_w - image.shape[1]) // 2
        grid[y:y + image.shape[0], x:x + image.shape[1]] = image
        if captions:
            block = _text_block(captions[index], cell_w, scale, background=background)
            grid[top + cell_h:top + cell_h + caption_h, left:left + cell_w] = block[:caption_h]
    if title:
        grid = np.concatenate([_text_block(title, grid.shape[1], max(scale, 0.45),
                                           background=background), grid])
    return grid


def write_image(path: str, image: np.ndarray) -> str:
    """Write an RGB image (PNG by the extension), creating the folder."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    if not cv2.imwrite(path, cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR)):
        raise OSError(f'could not write {path}')
    return path


def read_image(path: str) -> np.ndarray:
    """An image file as ``(H, W, 3)`` uint8 RGB (a :class:`ValueError` naming
    the file when it does not decode)."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'{path}: not a readable image')
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
