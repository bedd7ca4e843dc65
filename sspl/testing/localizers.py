"""Every registered localizer with a tiny config of it: what the localizer
contract test (tests/test_models/test_localizers/test_localizer_contract.py)
and the web page's tests run each localizer through."""
import inspect

#: registered localizer class -> tiny configs: (config file, model overrides)
TINY_CONFIGS = {
    'SSPL': [('configs/sspl_w_pcm_synthetic.py', dict(visual_backbone=dict(pretrained=None))),
             ('configs/sspl_wo_pcm_synthetic.py', dict(visual_backbone=dict(pretrained=None)))],
    'PublishedSSPL': [('configs/sspl_w_pcm_synthetic.py',
                       dict(type='PublishedSSPL', visual_backbone=dict(pretrained=None)))],
    'CenterPriorLocalizer': [('configs/baselines/center_prior_synthetic.py', dict())],
    'EZVSL': [('configs/ezvsl/ezvsl_synthetic.py', dict(visual_backbone=dict(pretrained=None)))],
    'SLAVC': [('configs/slavc/slavc_synthetic.py', dict(visual_backbone=dict(pretrained=None)))],
    'FNAC': [('configs/fnac/fnac_synthetic.py', dict(visual_backbone=dict(pretrained=None)))],
}
# (a method outside the package adds its own entry where its tests are: the
# contract test does so for the toy method of tests/test_e2e)


def registered_localizers() -> dict:
    """Name -> class of every registered, concrete localizer (those of the
    package, and any a test module imported)."""
    from sspl.models.localizers import BaseLocalizer
    from sspl.registry import MODELS
    from sspl.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    MODELS.import_from_location()
    return {name: cls for name, cls in MODELS.module_dict.items()
            if isinstance(cls, type) and issubclass(cls, BaseLocalizer)
            and not inspect.isabstract(cls)}
