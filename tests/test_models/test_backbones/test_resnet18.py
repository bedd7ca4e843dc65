"""ResNet18 (torchvision layout, pretrained from a file, frozen or not) and
AudioResNet18 (one-channel stem, max pool, the published initialisation)."""
import pytest
import torch
import torchvision

from sspl.models.backbones import AudioResNet18, ResNet18
from sspl.utils import CheckpointError


@pytest.fixture(scope='module')
def torchvision_file(tmp_path_factory):
    """A torchvision-layout resnet18 state dict (random weights, fc included)
    and the model that wrote it."""
    torch.manual_seed(0)
    reference = torchvision.models.resnet18().eval()
    path = str(tmp_path_factory.mktemp('resnet18') / 'resnet18.pth')
    torch.save(reference.state_dict(), path)
    return path, reference


def test_keys_are_torchvision_ones_without_fc():
    keys = set(ResNet18().state_dict())
    expected = {k for k in torchvision.models.resnet18().state_dict() if not k.startswith('fc.')}
    assert keys == expected


def test_pretrained_file_gives_torchvision_layer4_map(torchvision_file):
    path, reference = torchvision_file
    backbone = ResNet18(pretrained=path)
    backbone.init_weights()
    backbone.eval()
    frames = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        feature_map = backbone(frames)
        # the published imgnet(image) with avgpool = fc = Identity, unflattened
        reference.avgpool, reference.fc = torch.nn.Identity(), torch.nn.Identity()
        expected = reference(frames).unflatten(1, (512, 7, 7))
    assert feature_map.shape == (2, 512, 7, 7)
    torch.testing.assert_close(feature_map, expected)


def test_frozen_keeps_weights_and_statistics(torchvision_file):
    backbone = ResNet18(pretrained=torchvision_file[0], frozen=True)
    backbone.init_weights()
    backbone.train()
    assert not backbone.training and not backbone.bn1.training
    assert not any(param.requires_grad for param in backbone.parameters())
    before = backbone.bn1.running_mean.clone()
    out = backbone(torch.randn(2, 3, 64, 64))
    assert not out.requires_grad
    assert torch.equal(backbone.bn1.running_mean, before)


def test_wrong_file_is_named(tmp_path):
    path = str(tmp_path / 'vgg.pth')
    torch.save({'features.0.weight': torch.zeros(1)}, path)
    with pytest.raises(CheckpointError, match='vgg.pth'):
        ResNet18(pretrained=path).init_weights()


def test_audio_resnet18_shapes_and_published_init():
    torch.manual_seed(0)
    audio = AudioResNet18()
    audio.init_weights()
    assert audio.conv1.weight.shape == (64, 1, 7, 7) and audio.conv1.bias is None
    spectrogram = torch.randn(3, 1, 257, 200)
    features = audio(spectrogram)
    assert features.shape == (3, 512)
    with torch.no_grad():
        audio.eval()
        torch.testing.assert_close(audio(spectrogram),
                                   audio.forward_features(spectrogram).amax(dim=(2, 3)))
    # He-normal (fan-out) convolutions, batch-norm weights N(1, 0.02), biases 0
    weight = audio.layer4[1].conv2.weight
    fan_out = weight.shape[0] * weight.shape[2] * weight.shape[3]
    assert weight.std().item() == pytest.approx((2 / fan_out) ** 0.5, rel=0.02)
    bn_weights = torch.cat([m.weight for m in audio.modules()
                            if isinstance(m, torch.nn.BatchNorm2d)])
    assert bn_weights.mean().item() == pytest.approx(1.0, abs=0.005)
    assert bn_weights.std().item() == pytest.approx(0.02, rel=0.1)
    assert all(torch.all(m.bias == 0) for m in audio.modules()
               if isinstance(m, torch.nn.BatchNorm2d))


def test_base_channels_scale_the_widths():
    backbone = ResNet18(base_channels=16)
    assert backbone(torch.randn(1, 3, 112, 112)).shape == (1, 128, 4, 4)
    assert AudioResNet18(base_channels=16)(torch.randn(2, 1, 257, 200)).shape == (2, 128)


@pytest.mark.parametrize('cls, shape', [(ResNet18, (2, 3, 112, 112)),
                                        (AudioResNet18, (2, 1, 129, 100))])
def test_channels_last_same_numbers_and_layout(cls, shape, torchvision_file):
    """channels_last: weights and activations channels-last, output NCHW;
    forward and gradients equal to the NCHW backbone's (float64: the same
    arithmetic, float32 rounding aside); the layout survives weight loading."""
    torch.manual_seed(0)
    reference = cls(base_channels=16).double()
    reference.init_weights()
    fast = cls(base_channels=16, channels_last=True).double()
    fast.load_state_dict(reference.state_dict())
    assert fast.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    assert fast.layer4[1].conv2.weight.is_contiguous(memory_format=torch.channels_last)
    inputs = torch.randn(*shape, dtype=torch.float64)
    outputs = [net.train()(inputs) for net in (reference, fast)]
    assert outputs[1].is_contiguous()
    torch.testing.assert_close(outputs[1], outputs[0], rtol=1e-10, atol=1e-12)
    gradient = torch.randn_like(outputs[0])
    for out in outputs:
        out.backward(gradient)
    for (name, param), fast_param in zip(reference.named_parameters(), fast.parameters()):
        torch.testing.assert_close(fast_param.grad, param.grad, rtol=1e-9, atol=1e-12,
                                   msg=name)
    if cls is ResNet18:  # a pretrained file keeps the layout
        loaded = ResNet18(pretrained=torchvision_file[0], channels_last=True)
        loaded.init_weights()
        assert loaded.conv1.weight.is_contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(loaded.conv1.weight,
                                   torchvision_file[1].conv1.weight.contiguous())
