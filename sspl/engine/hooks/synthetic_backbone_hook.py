"""Build the synthetic configs' pretrained backbone on first use."""
from typing import Optional, Sequence, Union

from mmengine.dist import barrier, get_world_size, is_main_process
from mmengine.hooks import Hook
from mmengine.runner import BaseLoop

from sspl.apis.synthetic_backbone import (check_pretrain_options, ensure_synthetic_backbone,
                                          recipe_options)
from sspl.registry import HOOKS


@HOOKS.register_module()
class SyntheticBackboneHook(Hook):
    """Before training, write the weights file ``model.<backbone>.pretrained``
    names when it does not exist yet, by the deterministic pretraining on the
    synthetic objects (:func:`sspl.apis.synthetic_backbone.ensure_synthetic_backbone`),
    with a log line saying so; a file that exists is used as it is.

    ``before_run`` comes before the runner initialises the model's weights
    (which loads the file), so ``python tools/train.py CONFIG`` runs from a
    fresh clone. In a distributed run rank 0 builds the file while the others
    wait. Torch's global generators are left as they were: a run that builds
    the file trains exactly as one that finds it.

    Args:
        backbones: the entries of the model config whose weights to build.
        pretrain_options: options of the pretraining recipe
            (:data:`sspl.apis.synthetic_backbone.DEFAULTS`: ``num_clips``,
            ``epochs``, ``batch_size``, ``lr``, ``seed``, ``background_energy``);
            the defaults when not given. A config that changes them should
            also change the file name, so that a file built by other options
            is not picked up.
    """

    priority = 'VERY_HIGH'

    def __init__(self, backbones: Union[str, Sequence[str]] = ('visual_backbone',),
                 pretrain_options: Optional[dict] = None):
        self.backbones = (backbones,) if isinstance(backbones, str) else tuple(backbones)
        # (the runner's config holds them too: recipe_options reads them from there, so
        # that tools/synthetic/pretrain_backbone.py CONFIG builds the same file)
        check_pretrain_options(dict(pretrain_options or {}), 'SyntheticBackboneHook')

    def before_run(self, runner) -> None:
        # Only when training: Runner.train() has built its loop by now, test() and
        # val() never do (tools/test.py: the checkpoint holds the weights).
        if not isinstance(getattr(runner, '_train_loop', None), BaseLoop):
            return
        if is_main_process():
            for backbone in self.backbones:
                ensure_synthetic_backbone(runner.cfg, backbone, **recipe_options(runner.cfg))
        if get_world_size() > 1:
            barrier()
