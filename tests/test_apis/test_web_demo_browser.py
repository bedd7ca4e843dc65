"""The web page in a real browser: ``tools/demo/app.py`` serves on a local
port, headless Chromium (the system's ``chromium``, driven by Playwright)
uploads an image and an audio file, waits for the overlay and checks that it
differs from the uploaded frame where the map is hot; then a corrupt image
gets the page's message, and the server still answers a good upload after it.

Skips with a reason where Playwright or a Chromium binary is absent (CI
installs both: ``.ci/run``)."""
import base64
import io
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from mmengine.config import Config

from sspl.testing import REPO_ROOT, free_port
from sspl.testing.web_demo import (random_checkpoint, synthetic_clip, write_garbage,
                                   write_image_and_audio)

CONFIG = osp.join(REPO_ROOT, 'configs', 'sspl_wo_pcm_synthetic.py')


def _chromium() -> str:
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return ''


pytest.importorskip('gradio', reason='the web page needs the demo extra (gradio)')
playwright_sync = pytest.importorskip(
    'playwright.sync_api', reason='the browser test needs playwright (requirements/tests.txt)')
CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM, reason='no chromium on PATH (Debian: apt-get install '
                       'chromium; .ci/run installs it)'),
]


@pytest.fixture(scope='module')
def server(tmp_path_factory):
    """The page served by the command line users type, with a random-weight
    checkpoint of the synthetic SSPL config (what the map shows does not
    matter here, only that the page draws it)."""
    folder = tmp_path_factory.mktemp('web_demo')
    checkpoint = random_checkpoint(Config.fromfile(CONFIG), str(folder / 'random.pth'))
    port = free_port()
    log = open(folder / 'server.log', 'w')
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED='False', PYTHONWARNINGS='ignore')
    process = subprocess.Popen(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'demo', 'app.py'), CONFIG, checkpoint,
         '--port', str(port), '--out-dir', str(folder / 'out'), '--device', 'cpu'],
        cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f'http://127.0.0.1:{port}/'
    deadline = time.time() + 180
    while True:
        if process.poll() is not None:
            log.close()
            pytest.fail('tools/demo/app.py exited with %s:\n%s' % (
                process.returncode, (folder / 'server.log').read_text()[-3000:]))
        try:
            urllib.request.urlopen(url, timeout=2).read(1)
            break
        except OSError:
            if time.time() > deadline:
                process.kill()
                pytest.fail('the page did not come up in 180 s:\n' +
                            (folder / 'server.log').read_text()[-3000:])
            time.sleep(0.5)
    yield dict(url=url, folder=folder, process=process)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope='module')
def page(server):
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=['--no-sandbox', '--disable-gpu'])
        page = browser.new_page()
        page.set_default_timeout(120_000)
        yield page
        browser.close()


def _image_of(page, element_id: str) -> np.ndarray:
    """The RGB pixels of the image the page shows in ``element_id``."""
    import cv2
    source = page.locator(f'#{element_id} img').first.get_attribute('src')
    if source.startswith('data:'):
        data = base64.b64decode(source.split(',', 1)[1])
    else:
        data = urllib.request.urlopen(urllib.parse.urljoin(page.url, source)).read()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, f'the page\'s {element_id} image could not be decoded'
    return image[:, :, ::-1]


def _upload_and_run(page, url: str, image: str, audio: str) -> str:
    """A fresh page (as a new visitor), the two files uploaded, the button
    pressed; the result text once the page shows it."""
    page.goto(url)
    page.get_by_role('tab', name='Image + audio').click()
    page.locator('#image-in input[type=file]').set_input_files(image)
    page.locator('#audio-in input[type=file]').set_input_files(audio)
    # wait until both uploads are shown before running
    page.wait_for_function('document.querySelectorAll("#image-in a, #audio-in a").length >= 2')
    page.locator('#image-run').click()
    page.wait_for_function('/Peak of the map|Could not localise/.test('
                           'document.querySelector("#image-info").innerText)')
    return page.locator('#image-info').inner_text()


def test_upload_shows_the_overlay_hot_where_the_map_peaks_and_a_bad_upload_a_message(
        server, page):
    import cv2
    folder = str(server['folder'])
    clip = synthetic_clip()
    image, audio = write_image_and_audio(folder, clip)

    text = _upload_and_run(page, server['url'], image, audio)
    assert 'Peak of the map' in text, text
    match = re.search(r'x = (\d+), y = (\d+) px of the (\d+) x (\d+) frame', text)
    assert match, text
    x, y, width, height = (int(v) for v in match.groups())
    assert (width, height) == (112, 112)
    overlay = _image_of(page, 'image-out').astype(np.int16)
    scale = overlay.shape[0] / height
    assert overlay.shape[0] >= 224 and overlay.shape[1] >= 224
    frame = cv2.resize(clip['frames'][0], (overlay.shape[1], overlay.shape[0]),
                       interpolation=cv2.INTER_LINEAR).astype(np.int16)
    # around the peak (where the map is hottest) the overlay is not the frame
    cx, cy, r = int(x * scale), int(y * scale), int(6 * scale)
    window = (slice(max(cy - r, 0), cy + r), slice(max(cx - r, 0), cx + r))
    assert np.abs(overlay[window] - frame[window]).mean() > 20

    # a corrupt image: the page says so, no traceback
    broken = write_garbage(osp.join(folder, 'broken.png'), b'\x89PNG\r\n')
    text = _upload_and_run(page, server['url'], broken, audio)
    assert 'Could not localise' in text and 'broken.png is not an image' in text, text
    assert 'Traceback' not in text
    # ... and the server keeps serving
    assert server['process'].poll() is None
    text = _upload_and_run(page, server['url'], image, audio)
    assert 'Peak of the map' in text, text
