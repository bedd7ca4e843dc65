"""Reading and writing the annotation files of the benchmarks, in their
published forms.

- Id lists (``flickr_test249_in5k.csv``, ``vggss_test_4692.csv``, training
  lists): one sample per line, the id in the first comma-separated column;
  further columns are ignored. A directory part and a media extension are
  stripped (the published Flickr training lists hold video paths such as
  ``videos2/4/8/.../6248166344.mp4``: the id is ``6248166344``).
- SoundNet-Flickr: one XML per sample, ``<id>.xml`` (see
  :func:`sspl.structures.boxes.parse_flickr_xml`); boxes in pixels of a
  256 x 256 frame.
- VGG-SS: one JSON list of ``{"file", "class", "bbox": [[x0, y0, x1, y1], ...]}``,
  coordinates in [0, 1] of the frame.
- Chaotic World (MMVRAC 2024 Track 4): one JSON list of ``{"file", "class",
  "bbox": [x0, y0, x1, y1]}``, one box in pixels of a 320 x 180 frame.
- Negatives of the extended test sets (SLAVC's ``*_test_plus_silent.csv``):
  a csv with the header ``video,audio,label``, one row per negative: the
  frame of ``video`` shown with the audio of ``audio`` (another clip's, or
  the clip's own where ``audio == video``), label ``non-sounding``.

Every reader raises ``ValueError`` naming the file and the problem on
malformed input.
"""
import csv
import json
import os.path as osp
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

import numpy as np

from sspl.structures.boxes import parse_flickr_xml
from sspl.utils.atomic_io import atomic_write_text

#: Coordinate frame of the boxes of each benchmark, ``(width, height)``:
#: Flickr XMLs are in pixels of a 256 x 256 frame, VGG-SS boxes are fractions
#: of the frame, Chaotic World boxes are pixels of a 320 x 180 frame.
FLICKR_BOX_FRAME = (256, 256)
VGGSS_BOX_FRAME = (1, 1)
CHAOTIC_WORLD_BOX_FRAME = (320, 180)

_MEDIA_EXTENSIONS = ('.mp4', '.mkv', '.webm', '.avi', '.mov', '.flv', '.m4v', '.3gp',
                     '.jpg', '.jpeg', '.png', '.wav', '.mp3', '.flac', '.m4a', '.aac',
                     '.ogg', '.npy')


def sample_id_from_entry(entry: str) -> str:
    """Id of one list entry: the basename without a media extension."""
    entry = entry.strip().replace('\\', '/')
    name = entry.rsplit('/', 1)[-1]
    stem, ext = osp.splitext(name)
    return stem if ext.lower() in _MEDIA_EXTENSIONS else name


def read_id_list(path: str) -> List[str]:
    """Sample ids of a list file (csv or txt), in file order.

    Empty lines and lines starting with ``#`` are skipped.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: id list not found')
    ids = []
    with open(path, encoding='utf-8-sig') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            first = line.split(',', 1)[0].strip().strip('"')
            if not first:
                raise ValueError(f'{path}: a line has an empty first column: {line!r}')
            ids.append(sample_id_from_entry(first))
    return ids


#: the header of SLAVC's negatives csv files and the label of its rows
NEGATIVES_HEADER = ('video', 'audio', 'label')
NEGATIVE_LABEL = 'non-sounding'


def read_negative_pairs(path: str) -> List[Tuple[str, str]]:
    """``[(video_id, audio_id), ...]`` of a negatives csv (SLAVC's
    ``extended_*_test_plus_silent.csv``), in file order: the frame of the
    first, the audio of the second.

    The header ``video,audio,label`` is optional (SLAVC's reader takes every
    row labelled ``non-sounding``); a row with another label, a row without
    three columns or with an empty id is an error naming the file and line
    (SLAVC would skip such a row silently, evaluating on fewer negatives).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: negatives csv not found')
    pairs = []
    with open(path, encoding='utf-8-sig', newline='') as f:
        for line_number, row in enumerate(csv.reader(f), start=1):
            row = [cell.strip() for cell in row]
            if not row or not any(row) or row[0].startswith('#'):
                continue
            if line_number == 1 and tuple(cell.lower() for cell in row) == NEGATIVES_HEADER:
                continue
            if len(row) != 3:
                raise ValueError(f'{path}:{line_number}: expected 3 columns video,audio,label, '
                                 f'got {row!r}')
            video, audio, label = row
            if label != NEGATIVE_LABEL:
                raise ValueError(f'{path}:{line_number}: label {label!r}: every row of a '
                                 f'negatives csv is {NEGATIVE_LABEL!r}')
            if not video or not audio:
                raise ValueError(f'{path}:{line_number}: empty video or audio id: {row!r}')
            pairs.append((sample_id_from_entry(video), sample_id_from_entry(audio)))
    if not pairs:
        raise ValueError(f'{path}: the negatives csv lists no negative')
    return pairs


def write_negative_pairs(path: str, pairs: Iterable[Tuple[str, str]]) -> None:
    """Write a negatives csv in SLAVC's form (header ``video,audio,label``),
    atomically."""
    lines = [','.join(NEGATIVES_HEADER)]
    lines += [f'{video},{audio},{NEGATIVE_LABEL}' for video, audio in pairs]
    atomic_write_text(path, '\n'.join(lines) + '\n', per_process_tmp=True)


def write_id_list(path: str, ids: Iterable[str]) -> None:
    """Write one id per line (atomically: a temporary file, then a rename)."""
    atomic_write_text(path, ''.join(f'{sample_id}\n' for sample_id in ids),
                      per_process_tmp=True)


def _load_json_list(path: str) -> list:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path}: annotation file not found')
    try:
        with open(path, encoding='utf-8') as f:
            records = json.load(f)
    except json.JSONDecodeError as exc:
        raise ValueError(f'{path}: not valid JSON ({exc})') from exc
    if not isinstance(records, list):
        raise ValueError(f'{path}: expected a JSON list of records, got {type(records).__name__}')
    return records


def _record_file(path: str, index: int, record) -> str:
    if not isinstance(record, dict) or 'file' not in record or 'bbox' not in record:
        raise ValueError(f'{path}: record {index} lacks "file" or "bbox": {record!r}')
    return sample_id_from_entry(str(record['file']))


def load_vggss_annotations(path: str) -> Dict[str, dict]:
    """VGG-SS boxes: ``{id: {'boxes': (N, 4) float64 in [0, 1] units,
    'class_name': str}}``. A later record of the same id replaces an earlier
    one (as the published evaluation's dict does)."""
    annotations = {}
    for index, record in enumerate(_load_json_list(path)):
        sample_id = _record_file(path, index, record)
        try:
            boxes = np.asarray(record['bbox'], dtype=np.float64).reshape(-1, 4)
        except (TypeError, ValueError) as exc:
            raise ValueError(f'{path}: record {index} ({sample_id}): bbox must be a list of '
                             f'[x0, y0, x1, y1] lists, got {record["bbox"]!r}') from exc
        annotations[sample_id] = dict(boxes=boxes, class_name=record.get('class'))
    return annotations


def load_chaotic_world_annotations(path: str) -> Dict[str, dict]:
    """Chaotic World boxes: ``{id: {'boxes': (1, 4) float64 in pixels of a
    320 x 180 frame, 'class_name': str}}``. A later record of the same id
    replaces an earlier one (as the published evaluation's dict does)."""
    annotations = {}
    for index, record in enumerate(_load_json_list(path)):
        sample_id = _record_file(path, index, record)
        box = np.asarray(record['bbox'], dtype=np.float64)
        if box.shape != (4,):
            raise ValueError(f'{path}: record {index} ({sample_id}): bbox must be one '
                             f'[x0, y0, x1, y1] list, got {record["bbox"]!r}')
        annotations[sample_id] = dict(boxes=box.reshape(1, 4), class_name=record.get('class'))
    return annotations


def load_flickr_annotation(xml_path: str) -> np.ndarray:
    """Boxes of one SoundNet-Flickr XML, ``(N, 4)`` float64 in pixels of a
    256 x 256 frame (one box per annotator)."""
    if not osp.isfile(xml_path):
        raise FileNotFoundError(f'{xml_path}: Flickr annotation not found')
    boxes = parse_flickr_xml(xml_path).astype(np.float64)
    if boxes.shape[0] == 0:
        raise ValueError(f'{xml_path}: the annotation holds no <bbox>')
    return boxes


def scale_boxes(boxes: np.ndarray, from_size: Tuple[float, float],
                to_size: Tuple[int, int]) -> np.ndarray:
    """Scale ``(N, 4)`` boxes from a ``from_size`` = (width, height)
    coordinate frame to pixels of a ``to_size`` = (width, height) frame,
    multiplying before dividing (``v * to / from``) like the published
    ground-truth code, so that the truncation to int later agrees with it."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4).copy()
    boxes[:, 0::2] = boxes[:, 0::2] * to_size[0] / from_size[0]
    boxes[:, 1::2] = boxes[:, 1::2] * to_size[1] / from_size[1]
    return boxes


# --------------------------------------------------------------------------
# writers (used by the preparation tools; same forms as the real files)
# --------------------------------------------------------------------------
def write_json_records(path: str, records: Sequence[dict]) -> None:
    """Write a VGG-SS / Chaotic World style JSON list atomically."""
    atomic_write_text(path, json.dumps(list(records), indent=1), per_process_tmp=True)


def write_flickr_xml(path: str, boxes: Sequence[Sequence[int]], filename: Optional[str] = None,
                     label: str = 'sounding') -> None:
    """Write a SoundNet-Flickr style XML: one ``<object><bbox>`` per box, the
    first child of ``<bbox>`` a label, then ``xmin, ymin, xmax, ymax`` (ints,
    pixels of a 256 x 256 frame)."""
    lines = ['<annotation>']
    if filename is not None:
        lines.append(f'  <filename>{escape(filename)}</filename>')
    for box in boxes:
        x0, y0, x1, y1 = (int(v) for v in box)
        lines += ['  <object>', '    <bbox>', f'      <label>{escape(label)}</label>',
                  f'      <xmin>{x0}</xmin>', f'      <ymin>{y0}</ymin>',
                  f'      <xmax>{x1}</xmax>', f'      <ymax>{y1}</ymax>',
                  '    </bbox>', '  </object>']
    lines.append('</annotation>')
    atomic_write_text(path, '\n'.join(lines) + '\n', per_process_tmp=True)
