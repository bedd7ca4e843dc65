"""Base class of the audio-visual localisation datasets."""
import logging
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from sspl.registry import DATASETS
from .sample_randomness import KEY as SAMPLE_KEY
from .sample_randomness import derive, generator_from_key, key_of
from .validation import DataLoadError, raise_on_errors, summarize_warnings, validate_data_list

#: metainfo key of a data sample that lists the samples skipped to deliver it
SKIPPED_KEY = 'skipped_samples'


@DATASETS.register_module()
class BaseAVDataset(BaseDataset):
    """An mmengine :class:`BaseDataset` whose ``load_data_list`` returns one dict
    per clip with:

    - ``sample_id`` (str);
    - ``frame_path`` (str, or a list of paths: one frame per view), or ``img``
      (an ``(H, W, 3)`` uint8 array) for in-memory frames;
    - ``audio_path`` (str), or ``waveform`` for pre-processed audio;
    - for annotated splits ``gt_bboxes`` ``(N, 4)`` float ``x0, y0, x1, y1`` in
      pixels of the frame as loaded (a list of such arrays, one per frame, when
      ``frame_path`` is a list) and ``gt_map_mode`` (``'union'`` or
      ``'consensus'``, see :func:`sspl.structures.boxes.boxes_to_gt_map`).

    The pipeline (``LoadFrame``, ``LoadAudio``, ... ``PackAVInputs``) turns that
    into network inputs and a :class:`LocalizationDataSample`.

    Randomness: an index from sspl's ``KeyedSampler`` carries the sampler's
    seed and epoch; the sample then holds ``results['sample_key']`` =
    ``(seed, epoch, index)`` and its random transforms draw from it
    (:func:`~sspl.datasets.sample_randomness.sample_rng`), so a sample's
    augmentation is the same whatever the worker count, persistent or not, the
    number of processes, or a resume (:mod:`sspl.datasets.sample_randomness`).

    Bad input (see :mod:`sspl.datasets.validation`):

    - The data list is checked when the dataset is built: annotation errors
      (unannotated samples in an annotated split, malformed or non-finite
      boxes) raise :class:`~sspl.datasets.validation.AnnotationError` naming
      the source and the samples; boxes the published evaluation handles in a
      defined way (inverted, zero-area, outside the frame) are counted in one
      warning.
    - Training (``test_mode=False``, ``skip_bad_samples=True``): a sample whose
      file fails to load (:class:`~sspl.datasets.validation.DataLoadError`:
      missing, corrupt, empty, non-finite) is skipped and another, random
      sample is returned instead (mmengine's refetch, at most ``max_refetch``
      tries; a sample that failed once is not read again by the same worker,
      but still counted each time it comes up). Which sample replaces it, and
      its random draws, are functions of the failed sample's key
      ``(seed, epoch, index)``, not of the worker. The skipped
      ``(sample_id, reason)`` pairs travel with the returned sample
      (metainfo ``skipped_samples``), so they cross the
      dataloader's worker processes; :class:`~sspl.engine.hooks.SkippedSampleHook`
      counts them, logs ``skipped N samples: ...`` every epoch and stops the run
      when more than a set fraction of the data is bad.
    - Evaluation (``test_mode=True``): nothing is skipped; the error names the
      file, and the sample is added to the traceback.

    Args:
        skip_bad_samples: skip unloadable samples in training (see above).
        **kwargs: see :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self, *args, skip_bad_samples: bool = True, **kwargs):
        self.skip_bad_samples = skip_bad_samples
        # index -> reason, for samples that failed to load in this process
        self._bad_samples: Dict[int, str] = {}
        super().__init__(*args, **kwargs)

    def load_data_list(self):
        raise NotImplementedError(f'{type(self).__name__} must implement load_data_list()')

    @property
    def source(self) -> str:
        """What the messages name: the annotation file, else the class and root."""
        return self.ann_file or f'{type(self).__name__}({self.data_root})'

    def filter_data(self) -> List[dict]:
        """mmengine's filtering step, plus the data-list checks."""
        data_list = super().filter_data()
        issues = validate_data_list(data_list, self.source)
        raise_on_errors(issues, f'{type(self).__name__} ({self.source})')
        summary = summarize_warnings(issues)
        if summary is not None:
            print_log(f'{type(self).__name__} ({self.source}): {summary}', logger='current',
                      level=logging.WARNING)
        return data_list

    def get_metadata(self, idx: int) -> dict:
        """The sample's data-list entry (ids, paths, boxes, label) without
        reading its files or pack arrays, unlike ``get_data_info``."""
        return BaseDataset.get_data_info(self, idx)

    def _sample_id(self, idx: int) -> str:
        try:
            return str(self.get_metadata(idx).get('sample_id', f'#{idx}'))
        except Exception:  # noqa: BLE001  (only used to label a message)
            return f'#{idx}'

    def prepare_data(self, idx: int, sample_key: Optional[Tuple[int, ...]] = None) -> Any:
        """mmengine's ``prepare_data`` (``get_data_info`` then the pipeline),
        with ``results['sample_key']`` set for the random transforms:
        ``sample_key``, else the ``(seed, epoch, index)`` an index from sspl's
        sampler carries (see :mod:`sspl.datasets.sample_randomness`)."""
        data_info = self.get_data_info(idx)
        key = sample_key if sample_key is not None else key_of(idx)
        if key is not None:
            data_info[SAMPLE_KEY] = tuple(key)
        return self.pipeline(data_info)

    def _prepare(self, idx: int, sample_key: Optional[Tuple[int, ...]] = None) -> Any:
        """``prepare_data`` whose unexpected errors name the sample."""
        try:
            return self.prepare_data(idx, sample_key)
        except DataLoadError:
            raise
        except Exception as exc:
            exc.add_note(f'while loading sample {self._sample_id(idx)} (index {idx}) of '
                         f'{type(self).__name__} ({self.source})')
            raise

    def __getitem__(self, idx: int) -> Any:
        if not self._fully_initialized:
            self.full_init()
        if self.test_mode or not self.skip_bad_samples:
            data = self._prepare(idx)
            if data is None:
                raise DataLoadError(f'{self.source}: the pipeline dropped sample '
                                    f'{self._sample_id(idx)} (returned None)')
            return data
        # The replacements of an unloadable sample, and their random draws, are
        # functions of the sample's key: the same whichever worker loads it.
        key = key_of(idx)
        replacements = None if key is None else generator_from_key(derive(key, 'replacement'))
        attempt_key = key
        skipped: List[Tuple[str, str]] = []
        for attempt in range(self.max_refetch + 1):
            if attempt > 0:
                idx = self._replacement(replacements)
                attempt_key = None if key is None else derive(key, 'replacement', attempt)
            if int(idx) in self._bad_samples:  # failed before in this process: not read again
                skipped.append((self._sample_id(idx), self._bad_samples[int(idx)]))
                continue
            try:
                data = self._prepare(idx, attempt_key)
            except DataLoadError as exc:
                self._bad_samples[int(idx)] = str(exc)
                skipped.append((self._sample_id(idx), str(exc)))
                continue
            if data is None:  # a transform may drop a sample (mmengine's contract)
                continue
            if skipped:
                self._attach_skipped(data, skipped)
            return data
        reasons = '; '.join(f'{sample_id}: {reason}' for sample_id, reason in skipped[-3:])
        raise DataLoadError(f'{self.source}: no loadable sample in {self.max_refetch + 1} '
                            f'tries; last problems: {reasons}')

    def _replacement(self, replacements: Optional[np.random.Generator]) -> int:
        """A random index: the next of the sample's replacement stream, or
        mmengine's global-NumPy draw for an index without a key. Samples known
        to be bad are not avoided here (that would depend on what this worker
        has seen): the caller skips them without reading them again."""
        if replacements is None:
            return self._rand_another()
        return int(replacements.integers(len(self)))

    @staticmethod
    def _attach_skipped(data: Any, skipped: List[Tuple[str, str]]) -> None:
        sample = data.get('data_samples') if isinstance(data, dict) else None
        if sample is not None and hasattr(sample, 'set_metainfo'):
            sample.set_metainfo({SKIPPED_KEY: list(skipped)})
        else:  # no data sample to carry them: log from here (worker process)
            for sample_id, reason in skipped:
                print_log(f'skipped sample {sample_id}: {reason}', logger='current',
                          level=logging.WARNING)
