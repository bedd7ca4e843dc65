"""Running a preparation job per video: in parallel, with a progress bar, and
with a final report instead of a crash.

A job returns a list of :class:`SampleResult` (one per sample the video
gives); any exception inside a job becomes ``corrupt`` results for its
samples, so one bad file never stops the run.
"""
import json
import os
from collections import Counter, OrderedDict
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import Callable, Dict, List, Sequence

from sspl.utils.atomic_io import atomic_write_text

#: report categories, in the order they are printed
CATEGORIES = ('ok', 'existing', 'missing', 'corrupt', 'no_audio', 'no_video', 'too_short')


@dataclass
class SampleResult:
    """Outcome of one sample: ``status`` is one of :data:`CATEGORIES`
    (``existing``: its outputs were complete already and were kept)."""
    sample_id: str
    status: str
    video: str = ''
    message: str = ''

    @property
    def usable(self) -> bool:
        return self.status in ('ok', 'existing')


@dataclass
class Job:
    """One video and the samples to make from it (``targets``: per-benchmark
    dicts, e.g. ``{'sample_id': ..., 'time': ...}``)."""
    video: str
    targets: List[dict]


def _run_one(worker: Callable[[Job], List[SampleResult]], job: Job) -> List[SampleResult]:
    try:
        return worker(job)
    except Exception as exc:  # a job never takes the run down
        category = getattr(exc, 'category', None)
        if category is None:  # not a classified ClipError: keep the exception type
            category, message = 'corrupt', f'{job.video}: {type(exc).__name__}: {exc}'
        else:
            message = str(exc)
        return [SampleResult(target['sample_id'], category, job.video, message)
                for target in job.targets]


def run_jobs(worker: Callable[[Job], List[SampleResult]], jobs: Sequence[Job],
             nproc: int = 1) -> List[SampleResult]:
    """Run ``worker`` on every job (``nproc`` > 1: a process pool), with a
    progress bar (mmengine's). Results are returned in job order."""
    from mmengine.utils import ProgressBar
    results: Dict[int, List[SampleResult]] = {}
    progress = ProgressBar(len(jobs)) if jobs else None
    if nproc <= 1 or len(jobs) <= 1:
        for index, job in enumerate(jobs):
            results[index] = _run_one(worker, job)
            progress.update()
    else:
        with ProcessPoolExecutor(max_workers=nproc) as pool:
            futures = {pool.submit(_run_one, worker, job): index for index, job in enumerate(jobs)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress.update()
    if jobs:
        print()
    return [result for index in range(len(jobs)) for result in results[index]]


def write_report(path: str, results: Sequence[SampleResult], extra: dict = None) -> dict:
    """Write ``path`` (JSON: counts, and every sample that is not usable with
    its reason) and print a summary. Returns the report."""
    counts = Counter(result.status for result in results)
    problems = OrderedDict((category, []) for category in CATEGORIES[2:])
    for result in results:
        if not result.usable:
            problems.setdefault(result.status, []).append(asdict(result))
    report = OrderedDict(
        total=len(results),
        usable=sum(result.usable for result in results),
        counts={category: counts.get(category, 0) for category in CATEGORIES},
        problems={key: value for key, value in problems.items() if value})
    if extra:
        report.update(extra)
    atomic_write_text(path, json.dumps(report, indent=1), per_process_tmp=True)
    summary = ', '.join(f'{category} {count}' for category, count in report['counts'].items()
                        if count)
    print(f'{report["usable"]} of {report["total"]} samples ready ({summary}); report: {path}')
    for category, items in report['problems'].items():
        for item in items[:5]:
            print(f'  [{category}] {item["sample_id"]}: {item["message"]}')
        if len(items) > 5:
            print(f'  [{category}] ... and {len(items) - 5} more (see the report)')
    return report


def add_common_args(parser) -> None:
    parser.add_argument('--nproc', type=int, default=max(1, (os.cpu_count() or 2) // 2),
                        help='worker processes (one video at a time each)')
    parser.add_argument('--sample-rate', type=int, default=None,
                        help='resample the stored wav to this rate and mix it to mono '
                        "(default: keep the video's rate and channels; LoadAudio resamples "
                        'to 16 kHz mono at load, as the published pipeline did)')
    parser.add_argument('--audio-seconds', type=float, default=3.0,
                        help='length of the stored audio window around the frame (s)')
