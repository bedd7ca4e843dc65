"""What the EZ-VSL / SLAVC / FNAC parity tests compare, computed through the
converter tool, ``init_localizer`` and the method configs (see
tests/test_models/test_localizers/test_vsl_parity.py). Shared with the script
that measures the CPU sensitivity (measure_vsl_cpu_spread.py, beside the test)."""
import contextlib
import os.path as osp
from types import SimpleNamespace
from typing import Dict

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import MessageHub

from sspl.apis import init_localizer
from sspl.models.converters import convert_key
from sspl.models.losses.max_mil_infonce import max_pool_positions, pairwise_similarity_maps

from .repo import PARITY_DIR, REPO_ROOT
from .vsl_parity import (CONFIGS, load_spec, state_dict_entries, vsl_dir,
                         write_published_checkpoint)

CONVERTER = 'tools/model_converters/ezvsl_to_mmengine.py'


def published_files(method: str, parity_dir: str, out_dir: str) -> Dict[str, str]:
    """Materialise the method's checkpoint and the object-prior file."""
    spec = load_spec(parity_dir, method)
    prior_spec = load_spec(parity_dir, 'objprior_resnet18')
    return dict(checkpoint=write_published_checkpoint(spec, osp.join(out_dir, spec['file'])),
                prior=write_published_checkpoint(prior_spec, osp.join(out_dir, prior_spec['file'])))


def load_model(method: str, checkpoint: str, prior: str):
    """The config's model with the converted weights and the object prior."""
    return init_localizer(
        osp.join(REPO_ROOT, CONFIGS[method]), checkpoint,
        cfg_options={'model.test_cfg.fuse_object_prior': True,
                     'model.test_cfg.object_prior': dict(
                         type='ObjectPrior', backbone=dict(type='ResNet18', pretrained=prior))})


def key_maps(method: str, parity_dir: str):
    """published key -> sspl key, and back."""
    entries = state_dict_entries(load_spec(parity_dir, method))
    to_sspl = {entry['key']: convert_key(method, entry['key']) for entry in entries}
    to_published = {value: key for key, value in to_sspl.items()}
    assert len(to_published) == len(to_sspl), 'two published keys map to one sspl key'
    return to_sspl, to_published


def load_inputs(parity_dir: str):
    inputs = np.load(osp.join(vsl_dir(parity_dir), 'inputs.npz'))
    return torch.from_numpy(inputs['images']), torch.from_numpy(inputs['spectrogram'])


@contextlib.contextmanager
def epoch_in_message_hub(epoch: int):
    hub = MessageHub.get_current_instance()
    previous = hub.get_info('epoch')
    hub.update_info('epoch', epoch)
    try:
        yield
    finally:
        hub.update_info('epoch', previous if previous is not None else 0)


def _np(tensor):
    return tensor.detach().cpu().double().numpy()


def eval_arrays(method: str, model, images, spectrogram) -> dict:
    """Eval mode, no gradients: every ``eval_*`` array of ``<m>_expected.npz``."""
    assert not model.training
    out = {}
    with torch.no_grad():
        if method == 'slavc':
            train_out = model.forward_train(images, spectrogram, update_momentum=False)
            for index in (0, 1):
                out[f'eval_img_feat{index + 1}'] = train_out['visual_maps'][index]
                out[f'eval_aud_feat{index + 1}'] = train_out['audio_embeddings'][index]
                out[f'eval_mom_img_feat{index + 1}'] = train_out['target_visual_maps'][index]
                out[f'eval_mom_aud_feat{index + 1}'] = train_out['target_audio_embeddings'][index]
            out.update(eval_a2i=train_out['a2i'], eval_i2a=train_out['i2a'],
                       eval_loss=train_out['loss'])
            out['eval_map'] = model.predict_maps(images, spectrogram)
            model.test_cfg['use_momentum_features'] = True
            out['eval_map_mom'] = model.predict_maps(images, spectrogram)
            model.test_cfg['use_momentum_features'] = False
            _, out['eval_conf_av'] = model.av_maps_and_scores(images, spectrogram)
            out['eval_fused_scores'], out['eval_conf_fused'] = model.predict_maps_and_scores(
                images, spectrogram=spectrogram)
        else:
            visual_map = model.extract_visual_feat(images)
            audio_embedding = model.extract_audio_feat(spectrogram)
            logits = pairwise_similarity_maps(visual_map, audio_embedding, model.tau)
            out.update(eval_img_feat=visual_map, eval_aud_feat=audio_embedding,
                       eval_logits=logits, eval_logits_max=max_pool_positions(logits),
                       eval_map=model.predict_maps(images, spectrogram))
            if method == 'fnac':
                terms = model.loss_module(visual_map, audio_embedding,
                                          epoch=model.loss_module.warmup_epochs)
                out['eval_loss'] = terms['loss']
                out['eval_loss_terms'] = torch.stack([terms['contrastive'], terms['fns_audio'],
                                                      terms['tns'], terms['fns_image']])
            else:
                out['eval_loss'] = model.loss_module(visual_map, audio_embedding)
            out['eval_fused_map'], _ = model.predict_maps_and_scores(images,
                                                                     spectrogram=spectrogram)
            if method == 'fnac':  # the published validate2(): bicubic AV upsampling
                saved = dict(model.test_cfg)
                model.test_cfg.update(av_interpolation='bicubic', av_align_corners=False)
                out['eval_fused_map_validate2'], _ = model.predict_maps_and_scores(
                    images, spectrogram=spectrogram)
                model.test_cfg.update(saved)
        out['eval_obj_map'] = model.object_prior_maps(images)
        samples = model.predict(dict(frames=images.unsqueeze(1), spectrogram=spectrogram))
    arrays = {key: _np(value) for key, value in out.items()}
    arrays['predict_pred_sim_map'] = np.stack([_np(s.pred_sim_map) for s in samples])
    if method == 'slavc':
        arrays['predict_pred_score'] = np.stack([_np(s.pred_score) for s in samples])
    return arrays


def momentum_heads(captured: dict):
    """The momentum heads' outputs the hooks saw: (image maps, audio embeddings)."""
    return ((captured['momentum_visual_proj1'], captured['momentum_visual_proj2']),
            (captured['momentum_audio_proj1'], captured['momentum_audio_proj2']))


def _capture(module: nn.Module, store: dict, name: str):
    def hook(_, __, output):
        store[name] = output
    return module.register_forward_hook(hook)


def train_step(method: str, model, images, spectrogram, to_published: dict) -> SimpleNamespace:
    """One ``model.loss()`` forward and backward in train mode (dropout p = 0,
    FNAC after its warm-up), from the loaded weights: loss, terms, logits,
    maps, gradients, buffers (and SLAVC's momentum parameters), by published key."""
    for name in ('visual_dropout', 'audio_dropout'):
        if isinstance(getattr(model, name), nn.Dropout):
            getattr(model, name).p = 0.0
    model.train()
    model.zero_grad(set_to_none=True)
    captured, handles = {}, []
    if method == 'slavc':
        handles.append(_capture(model.loss_module, captured, 'loss_out'))
        for part in ('momentum_visual_proj1', 'momentum_visual_proj2',
                     'momentum_audio_proj1', 'momentum_audio_proj2'):
            handles.append(_capture(getattr(model, part), captured, part))
    else:
        handles += [_capture(model.visual_proj, captured, 'visual'),
                    _capture(model.audio_proj, captured, 'audio')]
    inputs = dict(frames=images.unsqueeze(1), spectrogram=spectrogram)
    try:
        with epoch_in_message_hub(getattr(model.loss_module, 'warmup_epochs', 0)):
            losses = model.loss(inputs)
        losses['loss'].backward()
    finally:
        for handle in handles:
            handle.remove()
    out = dict(train_loss=losses['loss'])
    with torch.no_grad():
        if method == 'slavc':
            loss_out = captured['loss_out']
            out.update(train_a2i=loss_out['a2i'], train_i2a=loss_out['i2a'])
            # the published train forward's map, with train.py's use_mom_eval:
            # from the momentum targets
            out['train_map'] = model.map_from(*momentum_heads(captured))
        else:
            visual_map, audio_embedding = captured['visual'], captured['audio']
            logits = pairwise_similarity_maps(visual_map, audio_embedding, model.tau)
            out['train_logits_max'] = max_pool_positions(logits)
            out['train_map'] = model.own_similarity_map(visual_map, audio_embedding)
            if method == 'fnac':
                out['train_loss_terms'] = torch.stack([losses['contrastive'], losses['fns_audio'],
                                                       losses['tns'], losses['fns_image']])
                out['train_loss_warmup'] = losses['contrastive']
    result = SimpleNamespace(arrays={key: _np(value) for key, value in out.items()})
    params, buffers = dict(model.named_parameters()), dict(model.named_buffers())
    result.trainable = sorted(to_published[name] for name, param in params.items()
                              if param.requires_grad)
    result.grads = {to_published[name]: _np(param.grad) for name, param in params.items()
                    if param.grad is not None}
    result.buffers = {to_published[name]: _np(buffer) for name, buffer in buffers.items()
                      if name.endswith(('running_mean', 'running_var'))}
    result.batch_counts = {to_published[name]: int(buffer) for name, buffer in buffers.items()
                           if name.endswith('num_batches_tracked')}
    result.momentum = {to_published[name]: _np(param) for name, param in params.items()
                       if name.startswith('momentum_')}
    return result


def worst_errors(method: str, parity_dir: str, work_dir: str) -> dict:
    """Per precision, the worst error of each compared quantity against the
    published arrays (relative to each array's max magnitude; losses absolute)."""
    from sspl.models.converters import convert_published_checkpoint
    from .parity import max_relative_error
    files = published_files(method, parity_dir, work_dir)
    state_dict, meta = convert_published_checkpoint(method, files['checkpoint'])
    converted = osp.join(work_dir, 'converted.pth')
    torch.save(dict(state_dict=state_dict, meta=meta), converted)
    _, to_published = key_maps(method, parity_dir)
    expected = dict(np.load(osp.join(vsl_dir(parity_dir), f'{method}_expected.npz')))

    def by(prefix):
        return {k.split('::', 1)[1]: v for k, v in expected.items() if k.startswith(prefix + '::')}
    report = {}
    for precision in ('float32', 'float64'):
        model = load_model(method, converted, files['prior'])
        images, spectrogram = load_inputs(parity_dir)
        if precision == 'float64':
            model.double()
            images, spectrogram = images.double(), spectrogram.double()
        evals = eval_arrays(method, model, images, spectrogram)
        step = train_step(method, model, images, spectrogram, to_published)
        errors = dict(
            eval_arrays=max(max_relative_error(evals[k], expected[k]) for k in expected
                            if k.startswith('eval_')),
            eval_loss_abs=abs(float(evals['eval_loss']) - float(expected['eval_loss'])),
            train_arrays=max(max_relative_error(step.arrays[k], expected[k])
                             for k in step.arrays),
            train_loss_abs=abs(float(step.arrays['train_loss']) - float(expected['train_loss'])),
            grad_norms=max(abs(float(np.linalg.norm(step.grads[k])) - float(v)) / float(v)
                           for k, v in by('train_grad_norm').items()),
            grad_heads=max(max_relative_error(step.grads[k].ravel()[:512], v)
                           for k, v in by('train_grad_head').items()),
            bn_buffers=max(max_relative_error(step.buffers[k], v)
                           for k, v in by('train_buffer').items()))
        if method == 'slavc':
            errors['momentum_heads'] = max(max_relative_error(step.momentum[k].ravel()[:512], v)
                                           for k, v in by('train_momentum_head').items())
            errors['momentum_norms'] = max(
                abs(float(np.linalg.norm(step.momentum[k])) - float(v)) / float(v)
                for k, v in by('train_momentum_norm').items())
        report[precision] = errors
        del model
    return report


if __name__ == '__main__':
    # python -m sspl.testing.vsl_parity_compute
    # prints each method's worst parity error per quantity (default kernels)
    import json
    import tempfile
    from sspl.utils import register_all_modules
    register_all_modules()
    parity = PARITY_DIR
    results = {}
    for name in ('ezvsl', 'slavc', 'fnac'):
        with tempfile.TemporaryDirectory() as work:
            results[name] = worst_errors(name, parity, work)
    print(json.dumps({m: {p: {k: float(f'{v:.2e}') for k, v in e.items()}
                          for p, e in r.items()} for m, r in results.items()}, indent=1))
