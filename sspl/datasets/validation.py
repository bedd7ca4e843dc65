"""Checks of input data, and the errors bad input raises.

Policy (see ``docs/troubleshooting.md``):

- A file that cannot be used (missing, undecodable, empty, non-finite audio)
  raises :class:`DataLoadError` naming the file and the problem. In training,
  :class:`~sspl.datasets.BaseAVDataset` skips such a sample, counts it and
  :class:`~sspl.engine.hooks.SkippedSampleHook` logs the count; in evaluation
  it is an error (a metric over silently fewer samples is a wrong result).
- An annotation that cannot be used (no boxes where the split is annotated,
  boxes that are not ``(N, 4)`` or not finite, unknown class names, listed
  ids without annotation) raises :class:`AnnotationError` when the dataset is
  built, before training or testing starts.
- Boxes the published evaluation handles in a defined way are kept as it
  does and reported as warnings: inverted or zero-area boxes (they cover no
  pixel), boxes partly or wholly outside the frame (clipped), samples whose
  boxes all cover no pixel (their ground truth is empty: cIoU 0). The real
  VGG-SS annotation file has 18 such samples and the published numbers
  include them, so refusing them would make results incomparable.

``tools/data/check_dataset.py`` runs every check (files included) over a
prepared dataset and prints a summary.
"""
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

ERROR = 'error'
WARNING = 'warning'


class DataLoadError(RuntimeError):
    """A sample's frame or audio file cannot be used; the message names the
    file and the problem."""


class DataFileNotFoundError(DataLoadError, FileNotFoundError):
    """A sample's file is absent (also a ``FileNotFoundError``)."""


class DataFileError(DataLoadError, ValueError):
    """A sample's file exists but cannot be used (also a ``ValueError``)."""


class AnnotationError(ValueError):
    """An annotation (file or data-list entry) cannot be used; the message
    names its source, the samples and the problem."""


@dataclass(frozen=True)
class Issue:
    """One finding: ``severity`` (``'error'`` or ``'warning'``), ``where``
    (a file or ``source:sample_id``) and ``problem``."""

    severity: str
    where: str
    problem: str

    def __str__(self) -> str:
        return f'{self.severity.upper()} {self.where}: {self.problem}'


def box_issues(boxes, frame_shape: Optional[Tuple[int, int]] = None) -> List[Tuple[str, str]]:
    """Problems of one frame's boxes, ``[(severity, problem), ...]``.

    Args:
        boxes: ``(N, 4)`` ``x0, y0, x1, y1`` in pixels of the frame (the
            data-list contract of :class:`~sspl.datasets.BaseAVDataset`).
        frame_shape: ``(H, W)`` of the decoded frame, when known: then boxes
            reaching past the frame are reported as well.
    """
    if boxes is None:
        return [(ERROR, 'no boxes (gt_bboxes is None)')]
    try:
        array = np.asarray(boxes, dtype=np.float64)
    except (TypeError, ValueError):
        return [(ERROR, f'boxes are not numbers: {boxes!r}')]
    if array.size == 0:
        return [(ERROR, 'no boxes (an empty list)')]
    if array.ndim != 2 or array.shape[1] != 4:
        return [(ERROR, f'boxes must be (N, 4) x0, y0, x1, y1; got shape {array.shape}')]
    if not np.isfinite(array).all():
        return [(ERROR, f'boxes hold NaN or infinite values: {array.tolist()}')]
    issues = []
    covering = 0
    height, width = frame_shape if frame_shape is not None else (np.inf, np.inf)
    for box in array:
        x0, y0, x1, y1 = box
        shown = '[' + ', '.join(f'{v:.6g}' for v in box) + ']'
        if x1 < x0 or y1 < y0:
            issues.append((WARNING, f'inverted box {shown} (x1 < x0 or y1 < y0): it covers '
                                    'no pixel and is ignored, as in the published evaluation'))
            continue
        if x1 == x0 or y1 == y0:
            issues.append((WARNING, f'zero-area box {shown}: it covers no pixel'))
            continue
        cx0, cy0 = max(x0, 0.0), max(y0, 0.0)
        cx1, cy1 = min(x1, width), min(y1, height)
        if cx1 <= cx0 or cy1 <= cy0:
            issues.append((WARNING, f'box {shown} lies outside the frame'
                                    + (f' {int(width)}x{int(height)}' if frame_shape else '')
                                    + ': it covers no pixel'))
            continue
        if (cx0, cy0, cx1, cy1) != (x0, y0, x1, y1):
            issues.append((WARNING, f'box {shown} reaches outside the frame'
                                    + (f' {int(width)}x{int(height)}' if frame_shape else '')
                                    + ': clipped to it'))
        covering += 1
    if covering == 0:
        issues.append((WARNING, 'no box covers any pixel: the ground truth is empty and the '
                                'sample scores cIoU 0 (as in the published evaluation)'))
    return issues


def boxes_per_view(boxes) -> list:
    """``gt_bboxes`` is one ``(N, 4)`` array, or a list of them (one per view)."""
    if isinstance(boxes, (list, tuple)) and boxes and all(
            isinstance(item, np.ndarray) and item.ndim == 2 for item in boxes):
        return list(boxes)
    return [boxes]


def validate_data_list(data_list: Sequence[dict], source: str) -> List[Issue]:
    """Check a dataset's data list against the contract of
    :class:`~sspl.datasets.BaseAVDataset` (no file is opened):

    - ``sample_id`` present; duplicated ids are reported (warning);
    - when some samples have ``gt_bboxes``, every sample must (an annotated
      split with unannotated samples is an error), except the negatives of an
      extended test set (``is_negative=True``), which have no box (one with
      boxes is an error);
    - each sample's boxes: see :func:`box_issues`.
    """
    issues: List[Issue] = []
    seen = set()
    annotated = [info for info in data_list if info.get('gt_bboxes') is not None]
    for index, info in enumerate(data_list):
        sample_id = info.get('sample_id')
        if sample_id is None:
            issues.append(Issue(ERROR, f'{source}[{index}]', 'entry has no sample_id'))
            sample_id = f'#{index}'
        elif sample_id in seen:
            issues.append(Issue(WARNING, f'{source}:{sample_id}', 'sample id listed twice'))
        seen.add(sample_id)
        where = f'{source}:{sample_id}'
        if info.get('is_negative'):
            if info.get('gt_bboxes') is not None:
                issues.append(Issue(ERROR, where, 'a negative (is_negative) has boxes: its '
                                    'audio does not belong to the frame, so nothing in it sounds'))
            continue
        if info.get('gt_bboxes') is None:
            if annotated:
                issues.append(Issue(ERROR, where, 'no boxes: the split is annotated '
                                    f'({len(annotated)} of {len(data_list)} samples have boxes)'))
            continue
        for view, boxes in enumerate(boxes_per_view(info['gt_bboxes'])):
            label = where if view == 0 else f'{where} (view {view})'
            issues.extend(Issue(severity, label, problem)
                          for severity, problem in box_issues(boxes))
    return issues


def check_known_ids(listed_ids: Iterable[str], annotated_ids: Iterable[str],
                    source: str) -> List[Issue]:
    """Compare a split's id list with the ids of its annotation file.

    A listed id without annotation is an error; an annotated id that the
    split does not list is reported (warning: ignored, e.g. the VGG-SS JSON
    covers 5,158 clips, the 4,692-clip test list a subset).
    """
    listed, annotated = list(listed_ids), set(annotated_ids)
    listed_set = set(listed)
    issues = [Issue(ERROR, f'{source}:{sample_id}', 'listed in the split but has no annotation')
              for sample_id in listed if sample_id not in annotated]
    unknown = sorted(annotated - listed_set)
    if unknown:
        shown = ', '.join(unknown[:5]) + (' ...' if len(unknown) > 5 else '')
        issues.append(Issue(WARNING, source, f'{len(unknown)} annotated ids are not in the split '
                                             f'and are ignored ({shown})'))
    return issues


def check_class_name(class_name: str, classes: Sequence[str], where: str) -> None:
    """Raise :class:`AnnotationError` if ``class_name`` is not one of ``classes``."""
    if class_name not in classes:
        raise AnnotationError(f'{where}: unknown class {class_name!r} (known: '
                              f'{", ".join(map(str, classes[:10]))}'
                              f'{" ..." if len(classes) > 10 else ""})')


def raise_on_errors(issues: Sequence[Issue], what: str, limit: int = 10) -> None:
    """Raise :class:`AnnotationError` listing the errors among ``issues``."""
    errors = [issue for issue in issues if issue.severity == ERROR]
    if errors:
        shown = '\n  '.join(str(issue) for issue in errors[:limit])
        more = f'\n  ... and {len(errors) - limit} more' if len(errors) > limit else ''
        raise AnnotationError(f'{what}: {len(errors)} annotation error(s):\n  {shown}{more}\n'
                              'Run tools/data/check_dataset.py CONFIG for a full report.')


def summarize_warnings(issues: Sequence[Issue], limit: int = 3) -> Optional[str]:
    """One line counting the warnings among ``issues`` with a few examples, or None."""
    warnings = [issue for issue in issues if issue.severity == WARNING]
    if not warnings:
        return None
    samples = {issue.where for issue in warnings}
    shown = '; '.join(f'{issue.where}: {issue.problem}' for issue in warnings[:limit])
    return (f'{len(warnings)} annotation warning(s) in {len(samples)} sample(s), handled as '
            f'the published evaluation does (e.g. {shown}). '
            'tools/data/check_dataset.py lists them all.')
