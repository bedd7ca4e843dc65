"""The web page where a user drops a clip and sees where the sound comes
from (``python tools/demo/app.py CONFIG CKPT [CONFIG CKPT ...]``).

The logic is here, independent of the page: :class:`LocalizationDemo`
localises a video (its frames with the audio window around each, through
:mod:`sspl.apis.video_inference`) or an image with an audio file (through
:func:`sspl.apis.inference_localizer`) with any registered localizer, and
returns the overlay, the map's peak in the frame's pixels and the time the
model took. Every problem of an upload (no audio stream, a corrupt or
truncated file, audio shorter than the model's window, an image the decoder
cannot read) is a :class:`DemoInputError` whose message says what is wrong
and what to upload instead. :func:`build_app` puts it on a Gradio page (the
optional extra ``pip install -e .[demo]``), which shows those messages and
keeps serving.
"""
import logging
import os
import os.path as osp
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from sspl.datasets.preparation import clip_io
from sspl.datasets.preparation.clip_io import ClipError

logger = logging.getLogger(__name__)

#: a video longer than this is localised over its first ``MAX_VIDEO_SECONDS`` only
MAX_VIDEO_SECONDS = 20.0
#: maps computed per second of video (held in between)
MAPS_PER_SECOND = 4.0


class DemoInputError(ValueError):
    """An upload the demo cannot localise; the message is for the user."""


@dataclass
class DemoResult:
    """What the page shows for one upload.

    Attributes:
        overlay: ``(H, W, 3)`` uint8 RGB: the frame (a video's middle frame)
            with the heatmap, the predicted region and the peak.
        peak: ``(x, y)`` of the map's maximum in the frame's pixels.
        frame_size: ``(width, height)`` of the frame.
        model_seconds: time spent in the model (every forward pass).
        total_seconds: the whole request (decoding, drawing, encoding too).
        num_maps: forward passes made (frames localised).
        video: the overlay video (mp4), for a video upload.
        notes: what else the user should know (e.g. a video cut short).
    """
    overlay: np.ndarray
    peak: Tuple[float, float]
    frame_size: Tuple[int, int]
    model_seconds: float
    total_seconds: float
    num_maps: int = 1
    video: Optional[str] = None
    notes: List[str] = field(default_factory=list)

    def summary(self, model_name: str) -> str:
        """A few lines of markdown for the page."""
        width, height = self.frame_size
        x, y = self.peak
        lines = [f'**Model:** {model_name}',
                 f'**Peak of the map:** x = {x:.0f}, y = {y:.0f} px of the {width} x {height} '
                 f'frame ({100 * x / max(width, 1):.0f}% from the left, '
                 f'{100 * y / max(height, 1):.0f}% from the top)',
                 f'**Model time:** {self.model_seconds:.3f} s for {self.num_maps} map'
                 f"{'s' if self.num_maps != 1 else ''} "
                 f'({1000 * self.model_seconds / max(self.num_maps, 1):.1f} ms per map); '
                 f'whole request {self.total_seconds:.2f} s']
        lines += [f'*{note}*' for note in self.notes]
        return '\n\n'.join(lines)


@dataclass
class ModelSpec:
    """One selectable model: a config (a file, or a :class:`mmengine.config.Config`)
    and its checkpoint (``None`` for a model without weights)."""
    config: object
    checkpoint: Optional[str]
    name: str = ''


def model_names(specs: Sequence[ModelSpec]) -> List[str]:
    """Unique display names: the config's file name and the checkpoint's."""
    names = []
    for spec in specs:
        config = spec.config if isinstance(spec.config, (str, os.PathLike)) else \
            getattr(spec.config, 'filename', None) or 'config'
        name = spec.name or osp.splitext(osp.basename(os.fspath(config)))[0] + (
            f' ({osp.basename(spec.checkpoint)})' if spec.checkpoint else '')
        base, count = name, 2
        while name in names:
            name, count = f'{base} #{count}', count + 1
        names.append(name)
    return names


def _audio_error(path: str, exc: ClipError) -> DemoInputError:
    name = osp.basename(path)
    if exc.category == 'no_audio':
        return DemoInputError(f'{name} has no audio stream: the model needs the sound. '
                              'Upload a video with its sound track (or an image and an '
                              'audio file).')
    if exc.category == 'missing':
        return DemoInputError(f'{name}: the upload did not arrive; try again.')
    return DemoInputError(f'{name} cannot be decoded (a corrupt or truncated file?): {exc}')


class LocalizationDemo:
    """Localise uploads with one of several localizers.

    Args:
        specs: the models to offer (:class:`ModelSpec`, or ``(config,
            checkpoint)`` pairs); each is loaded on first use
            (:func:`sspl.apis.init_localizer`) and kept.
        device: where the models run.
        out_dir: where overlay videos go (default: a temporary folder).
        max_video_seconds, maps_per_second: how much of a video is localised
            and how often (the map is held between two computed ones).
    """

    def __init__(self, specs: Sequence, device: str = 'cpu', out_dir: Optional[str] = None,
                 max_video_seconds: float = MAX_VIDEO_SECONDS,
                 maps_per_second: float = MAPS_PER_SECOND, alpha: float = 0.5):
        specs = [spec if isinstance(spec, ModelSpec) else ModelSpec(*spec) for spec in specs]
        if not specs:
            raise ValueError('LocalizationDemo: give at least one CONFIG CHECKPOINT pair')
        self.specs = dict(zip(model_names(specs), specs))
        self.device = device
        self.out_dir = out_dir or tempfile.mkdtemp(prefix='sspl_demo_')
        os.makedirs(self.out_dir, exist_ok=True)
        self.max_video_seconds = float(max_video_seconds)
        self.maps_per_second = float(maps_per_second)
        self.alpha = alpha
        self._models: Dict[str, object] = {}
        self._visualizer = None

    @property
    def names(self) -> List[str]:
        return list(self.specs)

    # ------------------------------------------------------------------ models
    def model(self, name: str):
        """The localizer ``name`` (loaded on first use)."""
        if name not in self.specs:
            raise DemoInputError(f'unknown model {name!r}: choose one of {self.names}')
        if name not in self._models:
            from .model import init_localizer
            spec = self.specs[name]
            self._models[name] = init_localizer(spec.config, spec.checkpoint, device=self.device)
        return self._models[name]

    def load_all(self) -> None:
        """Load every model now (a bad config or checkpoint fails at start-up)."""
        for name in self.names:
            self.model(name)

    def audio_window(self, name: str) -> Tuple[int, float]:
        """``(sample_rate, window in s)`` of the model's test pipeline."""
        from .video_inference import pipeline_audio_loader
        load_audio = pipeline_audio_loader(self.model(name).cfg)
        return int(load_audio.sample_rate), float(load_audio.duration)

    # ---------------------------------------------------------------- drawing
    def _draw(self, frame: np.ndarray, data_sample) -> Tuple[np.ndarray, Tuple[float, float]]:
        """The overlay of a frame (at least 224 px) and the peak in its pixels."""
        from sspl.structures import LocalizationDataSample
        from sspl.visualization import LocalizationVisualizer, map_peak
        if self._visualizer is None:
            self._visualizer = LocalizationVisualizer(
                name=f'sspl_web_demo_{uuid.uuid4().hex[:8]}', alpha=self.alpha, min_size=224)
        height, width = frame.shape[:2]
        view_box = data_sample.metainfo.get('view_box') or (0, 0, width, height)
        sample = LocalizationDataSample()
        sample.set_metainfo(dict(img_shape=(height, width), view_box=tuple(view_box)))
        sample.set_field(data_sample.pred_sim_map, 'pred_sim_map')
        overlay = self._visualizer.draw_localization(frame, sample)
        x0, y0, x1, y1 = (float(v) for v in view_box)
        peak_x, peak_y = map_peak(data_sample.pred_sim_map,
                                  (max(int(round(y1 - y0)), 1), max(int(round(x1 - x0)), 1)))
        peak = (min(max(x0 + peak_x, 0.0), width - 1.0), min(max(y0 + peak_y, 0.0), height - 1.0))
        return overlay, peak

    # ---------------------------------------------------------- image + audio
    def load_image(self, path: Optional[str]) -> np.ndarray:
        if not path:
            raise DemoInputError('upload an image (and an audio file) first')
        from sspl.datasets.transforms.loading import load_frame
        try:
            return load_frame(path)
        except Exception as exc:  # DataLoadError, PIL's errors
            raise DemoInputError(f'{osp.basename(path)} is not an image the decoder can read '
                                 f'(PNG, JPEG, ...): {exc}') from exc

    def load_audio(self, name: str, path: Optional[str]) -> Tuple[np.ndarray, int]:
        """The upload's audio as mono float32 at the model's rate, checked to
        be at least the model's window long."""
        if not path:
            raise DemoInputError('upload an audio file (or a video with its sound)')
        rate, window = self.audio_window(name)
        try:
            audio, source_rate, _ = clip_io.decode_audio(path)
        except ClipError as exc:
            raise _audio_error(path, exc) from exc
        audio, _ = clip_io.mix_and_resample(audio, source_rate, target_rate=rate, mono=True)
        self._check_length(path, audio.shape[-1] / rate, window)
        return np.ascontiguousarray(audio[0], dtype=np.float32), rate

    @staticmethod
    def _check_length(path: str, seconds: float, window: float) -> None:
        if seconds + 1e-3 < window:
            raise DemoInputError(f'{osp.basename(path)}: the sound is {seconds:.2f} s long, '
                                 f'shorter than the model\'s {window:g} s window; upload a clip '
                                 f'of at least {window:g} s')

    def localize_image(self, name: str, image_path: Optional[str],
                       audio_path: Optional[str]) -> DemoResult:
        """An image and an audio file: the map of the image under the audio's
        centred window."""
        start = time.perf_counter()
        frame = self.load_image(image_path)
        waveform, rate = self.load_audio(name, audio_path)
        _, window = self.audio_window(name)
        centre = waveform.shape[0] / rate / 2.0
        waveform = clip_io.audio_window(waveform, rate, 0.0, centre, window)
        from .inference import inference_localizer
        model = self.model(name)
        model_start = time.perf_counter()
        data_sample = inference_localizer(model, frame, waveform, sample_rate=rate)
        model_seconds = time.perf_counter() - model_start
        overlay, peak = self._draw(frame, data_sample)
        return DemoResult(overlay=overlay, peak=peak, frame_size=(frame.shape[1], frame.shape[0]),
                          model_seconds=model_seconds,
                          total_seconds=time.perf_counter() - start)

    # ------------------------------------------------------------------ video
    def localize_video(self, name: str, video_path: Optional[str]) -> DemoResult:
        """A video: the overlay video (maps ``maps_per_second`` times a second,
        each frame with the audio window centred on it) and the middle frame's
        overlay and peak."""
        from .video_inference import VideoLocalizer, draw_overlay
        if not video_path:
            raise DemoInputError('upload a video (with its sound) first')
        start = time.perf_counter()
        model = self.model(name)
        _, window = self.audio_window(name)
        try:
            localizer = VideoLocalizer(model, video_path)
        except (ValueError, FileNotFoundError) as exc:
            cause = exc.__cause__
            if isinstance(cause, ClipError):
                raise _audio_error(video_path, cause) from exc
            raise DemoInputError(f'{osp.basename(video_path)}: {exc}') from exc
        self._check_length(video_path, localizer.waveform.shape[0] / localizer.sample_rate,
                           window)
        try:
            rate = clip_io.video_frame_rate(video_path)
            frames = []
            for frame_time, frame in clip_io.iter_video_frames(video_path):
                if frame_time > self.max_video_seconds:
                    break
                frames.append((frame_time, frame))
        except ClipError as exc:
            if exc.category == 'no_video':
                raise DemoInputError(f'{osp.basename(video_path)} has no picture: upload a '
                                     'video, or an image and an audio file') from exc
            raise DemoInputError(f'{osp.basename(video_path)} cannot be decoded (a corrupt or '
                                 f'truncated file?): {exc}') from exc
        if not frames:
            raise DemoInputError(f'{osp.basename(video_path)}: no frame could be decoded (a '
                                 'corrupt or truncated file?)')
        notes = []
        if frames[-1][0] + 1.0 / float(rate) < localizer.waveform.shape[0] / localizer.sample_rate \
                and frames[-1][0] >= self.max_video_seconds - 1.0 / float(rate):
            notes.append(f'localised the first {self.max_video_seconds:g} s of the video')
        interval = max(int(round(float(rate) / self.maps_per_second)), 1)
        middle = len(frames) // 2
        todo = sorted(set(range(0, len(frames), interval)) | {middle})
        model_start = time.perf_counter()
        samples = {}
        for first in range(0, len(todo), 8):
            chunk = todo[first:first + 8]
            for index, sample in zip(chunk, localizer([frames[i][1] for i in chunk],
                                                      [frames[i][0] for i in chunk])):
                samples[index] = sample
        model_seconds = time.perf_counter() - model_start
        overlay, peak = self._draw(frames[middle][1], samples[middle])
        out = osp.join(self.out_dir, f'{osp.splitext(osp.basename(video_path))[0]}_'
                       f'{uuid.uuid4().hex[:8]}_overlay.mp4')
        self._encode(out, frames, samples, rate, localizer, draw_overlay)
        height, width = frames[middle][1].shape[:2]
        notes.insert(0, f'the still is the middle frame (t = {frames[middle][0]:.2f} s); the '
                     f'video has a map every {interval} frame{"s" if interval > 1 else ""}')
        return DemoResult(overlay=overlay, peak=peak, frame_size=(width, height),
                          model_seconds=model_seconds,
                          total_seconds=time.perf_counter() - start, num_maps=len(samples),
                          video=out, notes=notes)

    def _encode(self, out: str, frames, samples, rate, localizer, draw_overlay) -> None:
        """Write the overlay video (H.264 where PyAV has it, the mono track)."""
        import av

        from .video_inference import _encode_audio, _open_output
        container = None
        try:
            held = None
            for index, (_, frame) in enumerate(frames):
                held = samples.get(index, held)
                drawn = draw_overlay(frame, held, self.alpha)
                if container is None:
                    height, width = drawn.shape[:2]
                    container, stream, audio = _open_output(
                        out, rate, width - width % 2, height - height % 2, localizer.sample_rate)
                drawn = np.ascontiguousarray(drawn[:stream.height, :stream.width])
                for packet in stream.encode(av.VideoFrame.from_ndarray(drawn, format='rgb24')):
                    container.mux(packet)
            for packet in stream.encode(None):
                container.mux(packet)
            duration = len(frames) / float(rate)
            track = localizer.waveform[:int(round(duration * localizer.sample_rate))]
            _encode_audio(container, audio, track, localizer.sample_rate)
        finally:
            if container is not None:
                container.close()

    # ------------------------------------------------------------- the page
    def run_image(self, name: str, image_path: Optional[str], audio_path: Optional[str]):
        """``(overlay or None, markdown)`` for the page: never raises."""
        return self._guarded(lambda: self.localize_image(name, image_path, audio_path), name,
                             video=False)

    def run_video(self, name: str, video_path: Optional[str]):
        """``(overlay video or None, still or None, markdown)`` for the page:
        never raises."""
        return self._guarded(lambda: self.localize_video(name, video_path), name, video=True)

    def _guarded(self, work, name: str, video: bool):
        try:
            result = work()
        except DemoInputError as exc:
            message = f'**Could not localise:** {exc}'
        except Exception as exc:  # keep serving; the traceback goes to the server's log
            logger.exception('sspl web demo: unexpected error')
            message = (f'**Could not localise:** unexpected error ({type(exc).__name__}: '
                       f'{exc}); the server log has the details')
        else:
            text = result.summary(name)
            return (result.video, result.overlay, text) if video else (result.overlay, text)
        return (None, None, message) if video else (None, message)


def build_app(demo: LocalizationDemo):
    """The Gradio page of ``demo``: a model selector, a video tab and an image +
    audio tab; each shows the overlay, the peak and the model's time, or the
    message of a bad upload."""
    import gradio as gr

    intro = ('# Where is the sound?\n'
             'Drop a **video** with its sound, or an **image and an audio file**: the model '
             'shows where in the frame the sound comes from (the heat; white outline: the '
             'predicted region; ring: the peak of the map).')
    with gr.Blocks(title='sspl: sound source localisation') as app:
        gr.Markdown(intro)
        choice = gr.Dropdown(choices=demo.names, value=demo.names[0], label='Model',
                             elem_id='model-choice')
        with gr.Tab('Video'):
            with gr.Row():
                with gr.Column():
                    video_in = gr.File(label='Video with sound', elem_id='video-in',
                                       type='filepath')
                    video_button = gr.Button('Localise the sound', variant='primary',
                                             elem_id='video-run')
                with gr.Column():
                    video_out = gr.Video(label='Overlay video', elem_id='video-out',
                                         interactive=False)
                    video_still = gr.Image(label='Middle frame', elem_id='video-still',
                                           type='numpy', interactive=False, format='png')
            video_info = gr.Markdown(elem_id='video-info')
        with gr.Tab('Image + audio'):
            with gr.Row():
                with gr.Column():
                    image_in = gr.File(label='Image', elem_id='image-in', type='filepath')
                    audio_in = gr.File(label='Audio', elem_id='audio-in', type='filepath')
                    image_button = gr.Button('Localise the sound', variant='primary',
                                             elem_id='image-run')
                with gr.Column():
                    image_out = gr.Image(label='Overlay', elem_id='image-out', type='numpy',
                                         interactive=False, format='png')
            image_info = gr.Markdown(elem_id='image-info')
        video_button.click(demo.run_video, inputs=[choice, video_in],
                           outputs=[video_out, video_still, video_info])
        image_button.click(demo.run_image, inputs=[choice, image_in, audio_in],
                           outputs=[image_out, image_info])
    return app


def parse_model_args(values: Sequence[str]) -> List[ModelSpec]:
    """``CONFIG CKPT [CONFIG CKPT ...]`` (a model without weights, e.g. the
    centre prior, takes ``none`` as its checkpoint)."""
    if not values or len(values) % 2:
        raise ValueError('give CONFIG CHECKPOINT pairs (a model without weights: CONFIG none)')
    specs = []
    for config, checkpoint in zip(values[::2], values[1::2]):
        if not osp.isfile(config):
            raise ValueError(f'{config}: no such config file')
        if checkpoint.lower() == 'none':
            checkpoint = None
        elif not osp.isfile(checkpoint):
            raise ValueError(f'{checkpoint}: no such checkpoint file')
        specs.append(ModelSpec(config, checkpoint))
    return specs


def serve(demo: LocalizationDemo, host: str = '127.0.0.1', port: Optional[int] = None,
          share: bool = False, block: bool = True):
    """Start the page; returns the Gradio app (serving in the background
    when ``block`` is False)."""
    app = build_app(demo)
    app.queue(default_concurrency_limit=1)
    os.makedirs(demo.out_dir, exist_ok=True)
    app.launch(server_name=host, server_port=port, share=share, prevent_thread_lock=not block,
               allowed_paths=[demo.out_dir], show_error=False, quiet=True)
    return app
