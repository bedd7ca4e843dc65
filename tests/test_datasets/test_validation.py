"""Annotation checks (sspl.datasets.validation): malformed or missing boxes
fail when the dataset is built, naming the file and the sample; boxes the
published evaluation handles are counted warnings; ids in the split without
an annotation are errors."""
import os.path as osp

import numpy as np
import pytest

from sspl.datasets.validation import (AnnotationError, box_issues, check_known_ids,
                                      validate_data_list)
from sspl.testing import ListDataset


def _annotated(boxes_per_sample):
    return [dict(sample_id=f's{i}', frame_path='unused.png', audio_path='unused.wav',
                 **({} if boxes is None else dict(gt_bboxes=np.asarray(boxes, dtype=float))))
            for i, boxes in enumerate(boxes_per_sample)]


def test_annotated_split_with_a_sample_without_boxes_fails_at_build():
    items = _annotated([[[1, 1, 5, 5]], None, [[2, 2, 9, 9]]])
    with pytest.raises(AnnotationError, match=r'ERROR .*:s1: no boxes: the split is annotated'):
        ListDataset(items, ann_file='boxes.json', pipeline=[])


@pytest.mark.parametrize('boxes,problem', [
    ([[1, 1, np.nan, 5]], 'NaN or infinite'), ([], 'no boxes'), ([[1, 2, 3]], r'\(N, 4\)')])
def test_malformed_boxes_fail_at_build(boxes, problem):
    items = _annotated([[[1, 1, 5, 5]], boxes])
    items[1]['gt_bboxes'] = np.asarray(boxes, dtype=float)
    with pytest.raises(AnnotationError, match=rf'boxes\.json:s1: .*{problem}'):
        ListDataset(items, ann_file='boxes.json', pipeline=[])


def test_inverted_and_outside_boxes_are_warnings_handled_as_published(monkeypatch):
    assert box_issues([[1, 1, 5, 5]], (10, 10)) == []
    inverted = box_issues([[5, 1, 1, 5]])
    assert [severity for severity, _ in inverted] == ['warning', 'warning']
    assert 'inverted box' in inverted[0][1] and 'ground truth is empty' in inverted[1][1]
    (severity, problem), = box_issues([[-3, 2, 12, 8]], (10, 10))
    assert severity == 'warning' and 'reaches outside the frame 10x10: clipped' in problem
    outside = box_issues([[20, 20, 30, 30], [1, 1, 4, 4]], (10, 10))
    assert len(outside) == 1 and 'lies outside the frame' in outside[0][1]
    # they do not stop the build (the published evaluation handles them), but are counted
    import sspl.datasets.base_av_dataset as base_module
    logged = []
    monkeypatch.setattr(base_module, 'print_log', lambda message, **kwargs: logged.append(message))
    dataset = ListDataset(_annotated([[[5, 1, 1, 5]], [[1, 1, 4, 4]]]), ann_file='b.json',
                          pipeline=[])
    assert len(dataset) == 2
    assert len(logged) == 1 and logged[0].startswith(
        'ListDataset (b.json): 2 annotation warning(s) in 1 sample(s)')


def test_unknown_and_unannotated_ids():
    issues = check_known_ids(['a', 'b', 'c'], ['a', 'c', 'zz'], 'test.csv')
    errors = [str(i) for i in issues if i.severity == 'error']
    warnings = [str(i) for i in issues if i.severity == 'warning']
    assert errors == ['ERROR test.csv:b: listed in the split but has no annotation']
    assert warnings == [
        'WARNING test.csv: 1 annotated ids are not in the split and are ignored (zz)']


def test_real_vggss_annotations_have_18_samples_handled_as_published(metadata_dir):
    from sspl.datasets.annotations import load_vggss_annotations, scale_boxes
    annotations = load_vggss_annotations(osp.join(metadata_dir, 'vggss_test_5158.json'))
    data_list = [dict(sample_id=sample_id, gt_bboxes=scale_boxes(item['boxes'], (1, 1), (224, 224)))
                 for sample_id, item in annotations.items()]
    issues = validate_data_list(data_list, 'vggss_test_5158.json')
    assert [i for i in issues if i.severity == 'error'] == []
    flagged = {issue.where for issue in issues}
    assert len(flagged) == 18
    empty = {issue.where.split(':', 1)[1] for issue in issues
             if 'ground truth is empty' in issue.problem}
    assert empty == {'M1P1xla8rg0_000000', 'MKC9LvRivTM_000030'}
