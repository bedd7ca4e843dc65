"""The web page's logic (sspl.apis.web_demo): every registered localizer
localises an image with an audio file and a video; every bad upload gets a
message for the user, never an exception, and the next upload still works.
(The page itself, in a real browser: test_web_demo_browser.py.)"""
import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from sspl.apis.web_demo import DemoInputError, LocalizationDemo, ModelSpec, parse_model_args

from sspl.testing import REPO_ROOT
from sspl.testing.localizers import TINY_CONFIGS, registered_localizers
from sspl.testing.web_demo import (random_checkpoint, synthetic_clip, truncated_copy,
                                   write_clip_video, write_garbage, write_image_and_audio)



# every localizer of the package (the contract test fails when one has no tiny
# config); a method a test registered from outside the package has its own tests
REGISTERED = sorted(set(registered_localizers()) & set(TINY_CONFIGS))


@pytest.fixture(scope='module')
def uploads(tmp_path_factory):
    folder = tmp_path_factory.mktemp('uploads')
    clip = synthetic_clip()
    image, audio = write_image_and_audio(str(folder), clip)
    _, short_audio = write_image_and_audio(str(folder), clip, seconds=1.0)
    video = write_clip_video(str(folder / 'clip.mp4'), clip, seconds=3.25, fps=4)
    return dict(
        clip=clip, image=image, audio=audio, short_audio=short_audio, video=video,
        short_video=write_clip_video(str(folder / 'short.mp4'), clip, seconds=1.0, fps=4),
        silent_video=write_clip_video(str(folder / 'mute.mp4'), clip, seconds=3.25, fps=4,
                                      audio=False),
        truncated_video=truncated_copy(video, str(folder / 'cut.mp4')),
        corrupt_video=write_garbage(str(folder / 'garbage.mp4')),
        corrupt_image=write_garbage(str(folder / 'garbage.png'), b'\x89PNG\r\n\x1a\n'),
        corrupt_audio=write_garbage(str(folder / 'garbage.wav'), b'RIFF'))


def _demo(tmp_path, entries):
    specs = []
    for index, (config, overrides) in enumerate(entries):
        cfg = Config.fromfile(osp.join(REPO_ROOT, config))
        cfg.merge_from_dict(dict(model=copy.deepcopy(overrides)))
        checkpoint = None
        if cfg.model.type != 'CenterPriorLocalizer':
            checkpoint = random_checkpoint(cfg, str(tmp_path / f'model_{index}.pth'))
        specs.append(ModelSpec(cfg, checkpoint))
    return LocalizationDemo(specs, out_dir=str(tmp_path / 'out'), maps_per_second=2)


def _assert_overlay(result, frame):
    overlay = result.overlay
    assert overlay.dtype == np.uint8 and overlay.shape == (224, 224, 3)  # 112 px drawn at 224
    enlarged = np.asarray(
        __import__('cv2').resize(frame, (224, 224), interpolation=1), dtype=np.int16)
    assert np.abs(overlay.astype(np.int16) - enlarged).mean() > 5  # the heat is drawn
    x, y = result.peak
    assert 0 <= x < 112 and 0 <= y < 112 and result.frame_size == (112, 112)
    assert result.model_seconds > 0 and result.total_seconds >= result.model_seconds


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(REGISTERED))
def test_every_registered_localizer_on_an_image_and_a_video(name, uploads, tmp_path):
    demo = _demo(tmp_path, TINY_CONFIGS[name][:1])
    model = demo.names[0]
    frame = uploads['clip']['frames'][0]
    result = demo.localize_image(model, uploads['image'], uploads['audio'])
    _assert_overlay(result, frame)
    assert result.video is None and result.num_maps == 1
    video = demo.localize_video(model, uploads['video'])
    _assert_overlay(video, frame)
    # 13 frames at 4 fps, a map every 2 frames (7) and the middle frame's
    assert video.num_maps == 7 and osp.isfile(video.video)
    import av
    with av.open(video.video) as container:
        assert container.streams.video and container.streams.audio
        assert sum(1 for _ in container.decode(video=0)) == 13
    # The still's map is the image's: the same frame, the audio window around the middle
    assert 'Peak of the map' in video.summary(model) and 'ms per map' in video.summary(model)


def test_bad_uploads_get_a_message_and_the_demo_keeps_working(uploads, tmp_path, monkeypatch):
    demo = _demo(tmp_path, TINY_CONFIGS['SSPL'][:1])
    model = demo.names[0]
    cases = [
        (lambda: demo.localize_video(model, uploads['silent_video']), 'has no audio stream'),
        (lambda: demo.localize_video(model, uploads['corrupt_video']), 'cannot be decoded'),
        (lambda: demo.localize_video(model, uploads['truncated_video']), 'cannot be decoded'),
        (lambda: demo.localize_video(model, uploads['short_video']),
         "shorter than the model's 3 s window"),
        (lambda: demo.localize_video(model, None), 'upload a video'),
        (lambda: demo.localize_image(model, uploads['corrupt_image'], uploads['audio']),
         'is not an image the decoder can read'),
        (lambda: demo.localize_image(model, uploads['image'], uploads['short_audio']),
         "shorter than the model's 3 s window"),
        (lambda: demo.localize_image(model, uploads['image'], uploads['corrupt_audio']),
         'garbage.wav'),
        (lambda: demo.localize_image(model, None, uploads['audio']), 'upload an image'),
        (lambda: demo.localize_image('no such model', uploads['image'], uploads['audio']),
         'unknown model'),
    ]
    for call, message in cases:
        with pytest.raises(DemoInputError, match=message):
            call()
    # What the page calls: a message, never an exception
    overlay, text = demo.run_image(model, uploads['corrupt_image'], uploads['audio'])
    assert overlay is None and text.startswith('**Could not localise:**')
    assert 'garbage.png is not an image' in text
    video, still, text = demo.run_video(model, uploads['silent_video'])
    assert video is None and still is None and 'has no audio stream' in text
    # An unexpected failure inside the model: a message too, and the next request works
    from sspl.apis import inference as inference_module
    real = inference_module.inference_localizer

    def broken(*args, **kwargs):
        raise RuntimeError('out of memory (simulated)')
    monkeypatch.setattr(inference_module, 'inference_localizer', broken)
    overlay, text = demo.run_image(model, uploads['image'], uploads['audio'])
    assert overlay is None and 'unexpected error (RuntimeError: out of memory' in text
    assert 'Traceback' not in text
    monkeypatch.setattr(inference_module, 'inference_localizer', real)
    overlay, text = demo.run_image(model, uploads['image'], uploads['audio'])
    assert overlay is not None and 'Peak of the map' in text


def test_several_models_and_the_command_line_pairs(tmp_path):
    demo = LocalizationDemo([('configs/sspl_w_pcm_synthetic.py', 'a/best.pth'),
                             ('configs/sspl_w_pcm_synthetic.py', 'b/best.pth'),
                             ('configs/baselines/center_prior_synthetic.py', None)],
                            out_dir=str(tmp_path))
    assert demo.names == ['sspl_w_pcm_synthetic (best.pth)', 'sspl_w_pcm_synthetic (best.pth) #2',
                          'center_prior_synthetic']
    config = osp.join(REPO_ROOT, 'configs/baselines/center_prior_synthetic.py')
    specs = parse_model_args([config, 'none'])
    assert specs[0].checkpoint is None
    with pytest.raises(ValueError, match='CONFIG CHECKPOINT pairs'):
        parse_model_args([config])
    with pytest.raises(ValueError, match='no such checkpoint'):
        parse_model_args([config, str(tmp_path / 'missing.pth')])
