"""Which checkpoint an automatic resume (``tools/train.py --resume``) uses."""
import glob
import logging
import os.path as osp
import re
import zipfile
from typing import Optional

from mmengine.logging import print_log

from sspl.utils.checkpoint import CheckpointError

_NUMBERED = re.compile(r'^(?:epoch|iter)_(\d+)\.pth$')


def checkpoint_is_complete(path: str) -> bool:
    """Whether ``path`` is a complete ``torch.save`` file: torch writes a zip
    archive whose directory is at the end, so a truncated file is not a
    readable archive. Cheap: the tensors are not read."""
    if not osp.isfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return len(archive.namelist()) > 0
    except (zipfile.BadZipFile, OSError, EOFError):
        return False


def find_resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from in ``work_dir``.

    The ``last_checkpoint`` pointer when it names a complete file; else (the
    file was deleted, moved with the work dir, or damaged outside sspl) the
    highest-numbered complete ``epoch_N.pth``/``iter_N.pth`` in ``work_dir``,
    with a warning. ``None`` when ``work_dir`` holds no checkpoint at all.

    Raises:
        CheckpointError: checkpoints exist but none is complete (resuming from
            nothing would silently start over and overwrite them).
    """
    pointer = osp.join(work_dir, 'last_checkpoint')
    named = None
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named and checkpoint_is_complete(named):
            return named
    candidates = []
    for path in glob.glob(osp.join(glob.escape(work_dir), '*.pth')):
        match = _NUMBERED.match(osp.basename(path))
        if match:
            candidates.append((int(match.group(1)), path))
    for _, path in sorted(candidates, reverse=True):
        if checkpoint_is_complete(path):
            if named:
                print_log(f'Auto-resume: {pointer} names {named}, which is missing or '
                          f'incomplete; resuming from {path} instead.', logger='current',
                          level=logging.WARNING)
            return path
    if named or candidates:
        bad = [named] if named else []
        bad += [path for _, path in sorted(candidates, reverse=True)]
        raise CheckpointError(
            f'{work_dir}: no complete checkpoint to resume from ({", ".join(bad[:5])} '
            'missing or truncated). Remove them, or use another --work-dir, to start a new run.')
    return None


def resolve_auto_resume(cfg) -> None:
    """For ``resume=True`` without ``load_from``: set ``cfg.load_from`` to the
    checkpoint :func:`find_resumable_checkpoint` picks, or, when the work dir
    has none, turn resume off with a warning that says training starts from
    scratch (mmengine would log "resumed from None")."""
    if not cfg.get('resume') or cfg.get('load_from') is not None:
        return
    path = find_resumable_checkpoint(cfg.work_dir)
    if path is None:
        print_log(f'Auto-resume: no checkpoint in {cfg.work_dir}; training starts from scratch.',
                  logger='current', level=logging.WARNING)
        cfg.resume = False
    else:
        print_log(f'Auto-resume: resuming from {path}', logger='current')
        cfg.load_from = path
