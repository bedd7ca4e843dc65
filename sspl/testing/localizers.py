"""Every registered localizer with a tiny config of it: what the localizer
contract test (tests/test_models/test_localizers/test_localizer_contract.py)
and the web page's tests run each localizer through."""
import inspect
import os.path as osp

from .repo import REPO_ROOT, import_module_file

#: registered localizer class -> tiny configs: (config file, model overrides)
TINY_CONFIGS = {
    'SSPL': [('configs/sspl_w_pcm_synthetic.py', dict(visual_backbone=dict(pretrained=None))),
             ('configs/sspl_wo_pcm_synthetic.py', dict(visual_backbone=dict(pretrained=None)))],
    'PublishedSSPL': [('configs/sspl_w_pcm_synthetic.py',
                       dict(type='PublishedSSPL', visual_backbone=dict(pretrained=None)))],
    'CenterPriorLocalizer': [('configs/baselines/center_prior_synthetic.py', dict())],
    'EZVSL': [('configs/ezvsl/ezvsl_synthetic.py', dict())],
    'SLAVC': [('configs/slavc/slavc_synthetic.py', dict())],
    'FNAC': [('configs/fnac/fnac_synthetic.py', dict())],
    'ToySpectrogramLocalizer': [('tests/test_e2e/toy_method/toy_spectrogram_synthetic.py',
                                 dict())],
}


def import_toy_method() -> None:
    """Register the toy of tests/test_e2e/toy_method: it stands for a user's
    method outside the package (its config's ``custom_imports`` names it), so
    it is checked too."""
    import_module_file(osp.join(REPO_ROOT, 'tests', 'test_e2e', 'toy_method',
                                'toy_spectrogram_localizer.py'))


def registered_localizers() -> dict:
    """Name -> class of every registered, concrete localizer (the toy's included)."""
    from sspl.models.localizers import BaseLocalizer
    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    import_toy_method()
    register_all_modules(init_default_scope=False)
    MODELS.import_from_location()
    return {name: cls for name, cls in MODELS.module_dict.items()
            if isinstance(cls, type) and issubclass(cls, BaseLocalizer)
            and not inspect.isabstract(cls)}
