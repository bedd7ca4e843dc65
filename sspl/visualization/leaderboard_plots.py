"""The leaderboard's curves (matplotlib, PNG): the success rate against the
IoU threshold (the curve whose area is ``AUC``) and the extended protocol's
precision-recall curves (whose area is ``AP``), one line per run, one panel
per test set and protocol. Drawn on a figure of its own (no pyplot state, no
global backend)."""
from collections import OrderedDict
from typing import List, Optional, Sequence

from sspl.evaluation.functional import AUC_THRESHOLDS
from sspl.evaluation.leaderboard import RunResult, auc_of_curve


#: panels per row of a plot
MAX_COLUMNS = 3


def _figure(num_panels: int, width: float = 5.2, height: float = 5.0):
    """A figure of ``num_panels`` axes, at most :data:`MAX_COLUMNS` a row (the
    unused ones hidden); returns the figure and the axes in reading order."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    cols = min(MAX_COLUMNS, num_panels)
    rows = -(-num_panels // cols)
    figure = Figure(figsize=(width * cols, height * rows), dpi=110)
    FigureCanvasAgg(figure)
    axes = [ax for row in figure.subplots(rows, cols, squeeze=False) for ax in row]
    for ax in axes[num_panels:]:
        ax.set_visible(False)
    return figure, axes[:num_panels]


def _by_test_set(runs: Sequence[RunResult]) -> 'OrderedDict[str, List[RunResult]]':
    groups: 'OrderedDict[str, List[RunResult]]' = OrderedDict()
    for run in runs:
        groups.setdefault(run.test_set, []).append(run)
    return groups


def success_protocols(runs: Sequence[RunResult]) -> List[str]:
    """The protocols with per-sample cIoU of the positives, in the runs' order."""
    names: List[str] = []
    for run in runs:
        positives = run.positives()
        for name in run.protocols:
            if name not in names and positives and f'ciou_{name}' in positives[0]:
                names.append(name)
    return names


def plot_success_rates(runs: Sequence[RunResult], out_file: str,
                       protocols: Optional[Sequence[str]] = None) -> Optional[str]:
    """Success rate (fraction of positives with cIoU >= t) against t for each
    run; the legend gives the area (the protocol's ``AUC``). Returns the file,
    or None if no run has per-sample cIoU."""
    protocols = list(protocols or success_protocols(runs))
    groups = _by_test_set(runs)
    if not protocols or not groups:
        return None
    figure, axes = _figure(len(groups) * len(protocols))
    panels = iter(axes)
    for test_set, members in groups.items():
        for protocol in protocols:
            ax = next(panels)
            drawn = 0
            for run in members:
                curve = run.success_curve(protocol)
                if curve is None:
                    continue
                ax.plot(AUC_THRESHOLDS, curve, marker='.', linewidth=1.4,
                        label=f'{run.label} (AUC {auc_of_curve(curve):.3f})')
                drawn += 1
            ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel='cIoU threshold',
                   ylabel='success rate', title=f'{protocol}: {test_set}')
            ax.grid(alpha=0.3)
            if drawn:
                ax.legend(fontsize=7, loc='upper center', bbox_to_anchor=(0.5, -0.2))  # below
            else:
                ax.text(0.5, 0.5, 'no per-sample cIoU', ha='center', va='center')
    figure.tight_layout()
    figure.savefig(out_file)
    return out_file


def plot_precision_recall(runs: Sequence[RunResult], out_file: str,
                          ciou_thr: float = 0.5) -> Optional[str]:
    """The extended protocol's precision-recall curves (precision made
    monotone, as AP integrates it) per run; the legend gives AP. Returns the
    file, or None if no run has the extended protocol."""
    protocols: List[str] = []
    for run in runs:
        protocols += [name for name in run.protocols_of('extended') if name not in protocols]
    groups = OrderedDict((test_set, members) for test_set, members in _by_test_set(runs).items()
                         if any(run.negatives() for run in members))
    if not protocols or not groups:
        return None
    suffix = '' if ciou_thr == 0.5 else f'@{int(round(ciou_thr * 100))}'
    figure, axes = _figure(len(groups) * len(protocols))
    panels = iter(axes)
    for test_set, members in groups.items():
        for protocol in protocols:
            ax = next(panels)
            drawn = 0
            for run in members:
                curve = run.precision_recall(protocol, ciou_thr)
                if curve is None:
                    continue
                recall, precision = curve
                ap = run.figures.get(f'{protocol}/AP{suffix}')
                ax.step(recall, precision, where='post', linewidth=1.4,
                        label=run.label + (f' (AP {ap:.3f})' if ap is not None else ''))
                drawn += 1
            ax.set(xlim=(0, 1.0), ylim=(0, 1.02), xlabel='recall', ylabel='precision',
                   title=f'{protocol} (IoU {ciou_thr:g}): {test_set}')
            ax.grid(alpha=0.3)
            if drawn:
                ax.legend(fontsize=7, loc='upper center', bbox_to_anchor=(0.5, -0.2))  # below
    figure.tight_layout()
    figure.savefig(out_file)
    return out_file
