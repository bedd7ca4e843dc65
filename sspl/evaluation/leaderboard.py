"""A leaderboard of test runs: the per-sample result files that
:class:`~sspl.evaluation.LocalizationMetric` writes (``per_sample/test.json``,
through :class:`~sspl.engine.hooks.PerSampleResultsHook`) of several runs
(methods x checkpoints x test sets) in one table, every protocol's figures
under one name each, and the per-sample values the curves are drawn from
(:mod:`sspl.visualization.leaderboard_plots`).

Figures are named ``<protocol>/<figure>`` whatever a run reported as its
headline: ``fixed/cIoU``, ``median/AUC``, ``pointing/pointing_game``,
``adaptive/IIoU``, ``extended/AP``, ``negative_audio/silence/pIA_thr05``; a
run's ``cIoU`` is ``fixed/cIoU`` or ``median/cIoU`` as its file says.
"""
import csv
import fnmatch
import glob
import io
import json
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np

from .functional import AUC_THRESHOLDS
from .functional.extended import precision_recall_curve
from .functional.maps import auc_of_fractions

#: the row's label columns, before the figures
LABEL_COLUMNS = ('method', 'config', 'checkpoint', 'test_set', 'positives', 'negatives',
                 'probes')
RESULT_FILE = 'test.json'


@dataclass
class RunResult:
    """One test run's file: labels, figures by ``<protocol>/<figure>``, and
    the per-sample values."""
    path: str
    method: str
    config: str
    checkpoint: str
    test_set: str
    figures: Dict[str, float]
    protocols: Dict[str, dict]
    samples: List[dict] = field(repr=False, default_factory=list)
    counts: Dict[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Method, config and checkpoint: what tells the runs of a test set apart."""
        parts = [self.method]
        if self.config and self.config != self.method:
            parts.append(self.config)
        if self.checkpoint and self.checkpoint != '-':
            parts.append(self.checkpoint)
        return ' / '.join(parts)

    def positives(self) -> List[dict]:
        return [s for s in self.samples if s.get('kind', 'positive') == 'positive']

    def negatives(self) -> List[dict]:
        return [s for s in self.samples if s.get('kind') == 'negative']

    def protocols_of(self, protocol_type: str) -> List[str]:
        """Names of the run's protocols of a type (``'extended'`` ->
        ``['extended', 'extended_abs']``)."""
        return [name for name, spec in self.protocols.items() if spec.get('type') == protocol_type]

    def success_curve(self, protocol: str, field_name: str = 'ciou') -> Optional[List[float]]:
        """Fraction of the positives with cIoU >= t at t = 0.05 i, i = 0..20
        (the curve whose area is ``AUC``), or None if the run has no such
        per-sample values."""
        key = f'{field_name}_{protocol}'
        values = [s[key] for s in self.positives() if key in s]
        if not values:
            return None
        cious = np.asarray(values, dtype=np.float64)
        return [float(np.sum(cious >= t) / len(cious)) for t in AUC_THRESHOLDS]

    def precision_recall(self, protocol: str, ciou_thr: float = 0.5):
        """The extended protocol's ``(recall, precision_max)`` curve (what
        ``AP`` integrates), or None without its per-sample values."""
        positives = [s for s in self.positives() if f'conf_{protocol}' in s]
        negatives = [s for s in self.negatives() if f'conf_negative_{protocol}' in s]
        if not positives:
            return None
        n_boxes = [1] * len(positives) + [0] * len(negatives)
        cious = [s[f'ciou_{protocol}'] for s in positives] + [0.0] * len(negatives)
        confs = ([s[f'conf_{protocol}'] for s in positives]
                 + [s[f'conf_negative_{protocol}'] for s in negatives])
        recall, _, precision_max, _ = precision_recall_curve(n_boxes, cious, confs, ciou_thr)
        return recall, precision_max


def auc_of_curve(curve: Sequence[float]) -> float:
    """The area under a success-rate curve (the metrics' ``AUC``)."""
    return auc_of_fractions(list(curve), AUC_THRESHOLDS)


def normalized_figures(payload: dict) -> Dict[str, float]:
    """A result file's metrics as ``<protocol>/<figure>``, from its
    ``protocols[name].metric_keys``."""
    metrics = payload.get('metrics', {})
    figures = {}
    for name, spec in payload.get('protocols', {}).items():
        for key in spec.get('metric_keys', []):
            if key not in metrics:
                continue
            if key.startswith(f'{name}/'):
                figure = key[len(name) + 1:]
            elif key.endswith(f'_{name}'):
                figure = key[:-len(name) - 1]
            else:
                figure = key
            figures[f'{name}/{figure}'] = float(metrics[key])
    return figures


def describe_test_set(dataset: Optional[dict]) -> str:
    """A short name of a test set from its dataset config (``run_info``)."""
    if not dataset:
        return '?'
    if dataset.get('type') == 'NegativeAudioProbes':
        inner = describe_test_set(dataset.get('dataset'))
        if dataset.get('mode') == 'replace':  # other samples: the audio swap
            return f"{inner}, audio: {','.join(dataset.get('kinds') or [])}"
        return inner  # the same samples, and probes (counted in their column)
    if dataset.get('type') == 'SyntheticAVDataset':
        return f"synthetic {dataset.get('split', '?')} ({dataset.get('num_samples', '?')})"
    name = osp.basename(str(dataset.get('ann_file') or dataset.get('type')))
    if dataset.get('id_file'):
        name += f"[{osp.splitext(osp.basename(str(dataset['id_file'])))[0]}]"
    if dataset.get('negatives_file'):
        name += f" + {osp.splitext(osp.basename(str(dataset['negatives_file'])))[0]}"
    return name


def load_result(path: str, label: Optional[str] = None) -> RunResult:
    """Read one per-sample result file; an unreadable or foreign file is an
    error naming it."""
    try:
        with open(path) as f:
            payload = json.load(f)
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f'{path}: not a readable per-sample result file ({exc})') from exc
    if not isinstance(payload, dict) or 'metrics' not in payload or 'samples' not in payload:
        raise ValueError(f'{path}: not a per-sample result file of LocalizationMetric '
                         "(no 'metrics' / 'samples')")
    info = payload.get('run_info') or {}
    if 'protocols' not in payload:  # written before the protocols were listed
        payload['protocols'] = {}
    config = osp.splitext(osp.basename(info['config']))[0] if info.get('config') else ''
    checkpoint = osp.basename(info['checkpoint']) if info.get('checkpoint') else '-'
    method = label or info.get('model') or config or osp.basename(osp.dirname(path))
    return RunResult(
        path=path, method=method, config=config, checkpoint=checkpoint,
        test_set=describe_test_set(info.get('dataset')),
        figures=normalized_figures(payload), protocols=payload['protocols'],
        samples=payload['samples'],
        counts=dict(positives=int(payload.get('num_samples', 0)),
                    negatives=int(payload.get('num_negatives', 0)),
                    probes=int(payload.get('num_negative_audio', 0))))


def find_result_files(paths: Sequence[str]) -> List[str]:
    """The result files among ``paths``: files as given, folders searched for
    ``**/per_sample/test.json`` (sorted); a path that yields none is an error."""
    files = []
    for path in paths:
        if osp.isdir(path):
            found = sorted(glob.glob(osp.join(path, '**', 'per_sample', RESULT_FILE),
                                     recursive=True))
            if not found:
                raise FileNotFoundError(f'{path}: no per_sample/{RESULT_FILE} below it '
                                        '(a tools/test.py work dir holds one)')
            files += found
        elif osp.isfile(path):
            files.append(path)
        else:
            raise FileNotFoundError(f'{path}: no such result file or folder')
    return files


def figure_columns(runs: Sequence[RunResult], patterns: Optional[Sequence[str]] = None
                   ) -> List[str]:
    """The figure columns: every figure of any run, in the order the runs
    report them (protocol by protocol), optionally only those matching one of
    ``patterns`` (shell-style, e.g. ``'*/cIoU'``, ``'extended/*'``), in the
    patterns' order."""
    columns: List[str] = []
    for run in runs:
        columns += [key for key in run.figures if key not in columns]
    if not patterns:
        return columns
    picked: List[str] = []
    for pattern in patterns:
        picked += [c for c in columns if fnmatch.fnmatchcase(c, pattern) and c not in picked]
    return picked


def table_rows(runs: Sequence[RunResult], columns: Sequence[str]) -> List[dict]:
    rows = []
    for run in runs:
        row = dict(method=run.method, config=run.config, checkpoint=run.checkpoint,
                   test_set=run.test_set, **run.counts)
        row.update({column: run.figures.get(column) for column in columns})
        rows.append(row)
    return rows


def to_csv(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """The table as CSV: labels, then each figure (a fraction, full precision;
    empty where a run has no such figure)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(list(LABEL_COLUMNS) + list(columns))
    for row in rows:
        writer.writerow([row[c] for c in LABEL_COLUMNS]
                        + ['' if row[c] is None else repr(float(row[c])) for c in columns])
    return buffer.getvalue()


def to_markdown(rows: Sequence[dict], columns: Sequence[str], digits: int = 3,
                best: bool = True) -> str:
    """The table as markdown: figures with ``digits`` decimals (fractions in
    [0, 1]), the best of each column among the rows of a test set in bold
    (highest, except pIA: lowest)."""
    labels = [c for c in LABEL_COLUMNS if any(str(row[c]) not in ('', '-', '0') for row in rows)]
    header = labels + list(columns)
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join(
        ['---'] * len(labels) + ['---:'] * len(columns)) + '|']
    winners = _best_cells(rows, columns) if best else set()
    for index, row in enumerate(rows):
        cells = [str(row[c]) for c in labels]
        for column in columns:
            value = row[column]
            text = '' if value is None else f'{value:.{digits}f}'
            cells.append(f'**{text}**' if (index, column) in winners else text)
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def lower_is_better(column: str) -> bool:
    """pIA is the area lit up under negative audio: lower is better."""
    return '/pIA_' in column


def _best_cells(rows, columns) -> set:
    cells = set()
    groups: Dict[str, List[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(row['test_set'], []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        for column in columns:
            values = [(rows[i][column], i) for i in members if rows[i][column] is not None]
            if not values:
                continue
            pick = min if lower_is_better(column) else max
            target = pick(v for v, _ in values)
            cells.update((i, column) for v, i in values if v == target)
    return cells


def build_leaderboard(paths: Sequence[str], labels: Optional[Dict[str, str]] = None,
                      patterns: Optional[Sequence[str]] = None):
    """``(runs, columns, rows)`` of the result files under ``paths``;
    ``labels`` maps a file (or the folder it was found under) to the method
    name of its row."""
    labels = labels or {}
    runs = []
    for path in paths:
        for file in find_result_files([path]):
            runs.append(load_result(file, labels.get(file) or labels.get(path)))
    first = {}
    for run in runs:  # rows grouped by test set, in the order given
        first.setdefault(run.test_set, len(first))
    runs.sort(key=lambda run: first[run.test_set])
    columns = figure_columns(runs, patterns)
    return runs, columns, table_rows(runs, columns)
