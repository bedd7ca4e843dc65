"""Behaviour of EZVSL, SLAVC and FNAC beyond the published numbers: SLAVC's
momentum update (once per training forward, never at test time), FNAC's
warm-up read from the runner's epoch, the object-prior test option kept out of
the checkpoint, and clear errors for wrong options."""
import copy
import os.path as osp

import pytest
import torch
import torchvision
from mmengine.config import Config

from sspl.apis.model import without_pretrained_weights
from sspl.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def build(method, **overrides):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', method, f'{method}_synthetic.py'))
    # random weights: the synthetic backbone file is built by training runs
    cfg.model = without_pretrained_weights(cfg.model)
    cfg.merge_from_dict(dict(model=overrides))
    torch.manual_seed(0)
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    return model


def inputs(batch=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return dict(frames=torch.randn(batch, 1, 3, 112, 112, generator=generator),
                spectrogram=torch.randn(batch, 1, 257, 200, generator=generator))


def momentum_pairs(model):
    online = dict(model.named_parameters())
    return [(name, online[name[len('momentum_'):]], param)
            for name, param in online.items() if name.startswith('momentum_')]


def test_slavc_momentum_nets_start_as_copies_and_take_no_gradient():
    model = build('slavc')
    pairs = momentum_pairs(model)
    assert len(pairs) == sum(1 for n, _ in model.named_parameters()
                             if not n.startswith('momentum_'))
    assert all(torch.equal(online, target) and not target.requires_grad
               for _, online, target in pairs)
    buffers = dict(model.named_buffers())
    online_buffers = [name for name in buffers if 'momentum_' + name in buffers]
    assert len(online_buffers) == sum(1 for name in buffers if name.startswith('momentum_'))
    assert all(torch.equal(buffers[name], buffers['momentum_' + name]) for name in online_buffers)


def test_slavc_one_momentum_update_per_training_forward_none_at_test_time():
    model = build('slavc')
    with torch.no_grad():  # make online and momentum weights differ
        for param in model.visual_proj1.parameters():
            param.add_(1.0)
    model.train()
    before = {name: target.clone() for name, _, target in momentum_pairs(model)}
    online = {name: param.detach().clone() for name, param, _ in momentum_pairs(model)}
    model.loss(inputs())
    for name, _, target in momentum_pairs(model):
        expected = before[name] * 0.999 + online[name] * (1. - 0.999)
        assert torch.equal(target, expected), name
    moved = {name: target.clone() for name, _, target in momentum_pairs(model)}
    model.eval()
    with torch.no_grad():
        model.predict(inputs())
        model(inputs(), mode='tensor')
    assert all(torch.equal(target, moved[name]) for name, _, target in momentum_pairs(model))


def test_slavc_maps_from_online_or_momentum_features():
    model = build('slavc')
    with torch.no_grad():
        for param in model.momentum_audio_proj1.parameters():
            param.mul_(-1)
    model.eval()
    batch = inputs()
    frames = batch['frames'][:, 0]
    with torch.no_grad():
        online = model.predict_maps(frames, batch['spectrogram'])
        model.test_cfg['use_momentum_features'] = True
        momentum = model.predict_maps(frames, batch['spectrogram'])
        samples = model.predict(batch)
    assert online.shape == (4, 4, 4) and not torch.allclose(online, momentum)
    assert all(0 <= float(s.pred_score) <= 1 for s in samples)


def test_fnac_warm_up_follows_the_message_hub_epoch():
    from mmengine.logging import MessageHub
    model = build('fnac', visual_dropout=0.0)
    model.train()
    hub = MessageHub.get_current_instance()
    previous = hub.get_info('epoch')
    try:
        losses = {}
        for epoch in (0, 1, 2, 3):
            hub.update_info('epoch', epoch)
            torch.manual_seed(0)
            losses[epoch] = model.loss(inputs())
    finally:
        hub.update_info('epoch', previous or 0)
    for epoch in (0, 1):  # warm-up: 2 epochs in the synthetic config
        assert torch.equal(losses[epoch]['loss'], losses[epoch]['contrastive'])
    for epoch in (2, 3):
        extra = 100 * (losses[epoch]['fns_audio'] + losses[epoch]['tns'] +
                       losses[epoch]['fns_image'])
        assert float(losses[epoch]['loss'].detach()) == pytest.approx(
            float(losses[epoch]['contrastive'] + extra), rel=1e-6)
        assert float(extra) > 0
    assert not losses[2]['tns'].requires_grad  # logged terms are detached


@pytest.fixture(scope='module')
def prior_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('prior') / 'resnet18.pth')
    torch.save(torchvision.models.resnet18().state_dict(), path)
    return path


@pytest.mark.parametrize('method', ['ezvsl', 'fnac', 'slavc'])
def test_object_prior_is_a_test_option_outside_the_checkpoint(method, prior_file):
    plain = build(method)
    fused = build(method, test_cfg=dict(
        fuse_object_prior=True,
        object_prior=dict(type='ObjectPrior', backbone=dict(type='ResNet18',
                                                            pretrained=prior_file))))
    assert list(fused.state_dict()) == list(plain.state_dict())
    fused.load_state_dict(plain.state_dict(), strict=True)
    plain.eval(), fused.eval()
    batch = inputs()
    with torch.no_grad():
        maps = plain.predict(batch)
        fused_maps = fused.predict(batch)
        torch.testing.assert_close(fused(batch, mode='tensor'), plain(batch, mode='tensor'))
    assert maps[0].pred_sim_map.shape == (4, 4)
    assert fused_maps[0].pred_sim_map.shape == (224, 224)
    values = torch.stack([s.pred_sim_map for s in fused_maps])
    assert 0 <= float(values.min()) and float(values.max()) <= 1
    assert (('pred_score' in fused_maps[0]) == (method == 'slavc') ==
            ('pred_score' in maps[0]))


def test_wrong_options_are_named():
    with pytest.raises(ValueError, match="unknown test_cfg keys \\['alhpa'\\]"):
        build('ezvsl', test_cfg=dict(alhpa=0.5))
    with pytest.raises(ValueError, match='pretrained must name ImageNet weights'):
        build('ezvsl', test_cfg=dict(fuse_object_prior=True, object_prior=dict(
            type='ObjectPrior', backbone=dict(type='ResNet18', pretrained=None))))
    with pytest.raises(ValueError, match='loss.tau=0.07 differs'):
        build('ezvsl', loss=dict(tau=0.07))
