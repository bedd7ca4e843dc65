"""PerSampleResultsHook: the metrics' per-sample files go into the run's log
folder, named by the loop, with the run's info."""
import os.path as osp
from types import SimpleNamespace

import torch

from sspl.evaluation import CIoUMetric


def test_per_sample_results_hook_points_metrics_into_the_log_dir(tmp_path):
    from mmengine.runner import EpochBasedTrainLoop

    from sspl.engine.hooks import PerSampleResultsHook

    auto, fixed = CIoUMetric(), CIoUMetric(out_file=str(tmp_path / 'mine.json'))
    evaluator = SimpleNamespace(metrics=[auto, fixed])
    train_loop = EpochBasedTrainLoop.__new__(EpochBasedTrainLoop)
    runner = SimpleNamespace(log_dir=str(tmp_path / 'run'), val_loop=SimpleNamespace(
        evaluator=evaluator), test_loop=SimpleNamespace(evaluator=evaluator),
        train_loop=train_loop, epoch=3, iter=30)
    hook = PerSampleResultsHook()
    hook.before_val_epoch(runner)  # standalone validation
    assert auto.out_file == osp.join(runner.log_dir, 'per_sample', 'val.json')
    hook.before_train(runner)
    hook.before_val_epoch(runner)
    assert auto.out_file == osp.join(runner.log_dir, 'per_sample', 'val_epoch_3.json')
    hook.before_test_epoch(runner)
    assert auto.out_file == osp.join(runner.log_dir, 'per_sample', 'test.json')
    assert fixed.out_file == str(tmp_path / 'mine.json')  # the user's choice stays


def test_per_sample_results_hook_gives_the_run_info(tmp_path):
    from mmengine.config import Config
    from mmengine.logging import MessageHub

    from sspl.engine.hooks import PerSampleResultsHook

    metric = CIoUMetric()
    hub = MessageHub.get_instance('per_sample_run_info_test')
    hub.update_info('checkpoint', '/ckpt/epoch_3.pth')
    cfg = Config(dict(test_dataloader=dict(dataset=dict(
        type='NegativeAudioProbes', kinds=['silence', 'noise'],
        dataset=dict(type='VGGSoundDataset', ann_file='vggss.json', id_file='ids.csv',
                     pipeline=[dict(type='LoadFrame')])))))
    runner = SimpleNamespace(log_dir=str(tmp_path), test_loop=SimpleNamespace(
        evaluator=SimpleNamespace(metrics=[metric])), cfg=cfg, message_hub=hub,
        model=torch.nn.Identity(), experiment_name='exp', work_dir='w', epoch=0, iter=0)
    PerSampleResultsHook().before_test_epoch(runner)
    info = metric.run_info
    assert (info['model'], info['checkpoint'], info['split']) == (
        'Identity', '/ckpt/epoch_3.pth', 'test')
    assert info['dataset'] == dict(type='NegativeAudioProbes', kinds=['silence', 'noise'],
                                   dataset=dict(type='VGGSoundDataset', ann_file='vggss.json',
                                                id_file='ids.csv'))
