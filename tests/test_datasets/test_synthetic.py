"""SyntheticAVDataset on an edited annotation file."""
import os.path as osp

import pytest


def test_unknown_class_in_a_synthetic_annotation_is_named(tmp_path):
    """An edited synthetic annotation with a class the dataset does not know
    is an AnnotationError naming the file and the sample."""
    import json

    from sspl.datasets import SyntheticAVDataset
    from sspl.datasets.validation import AnnotationError
    root = str(tmp_path / 'data')
    SyntheticAVDataset(data_root=root, split='val', num_samples=2, pipeline=[])
    annotation = osp.join(root, 'annotations', 'val.json')
    with open(annotation) as f:
        records = json.load(f)
    records[1]['class'] = 'purple_hexagon'
    with open(annotation, 'w') as f:
        json.dump(records, f)
    with pytest.raises(AnnotationError,
                       match=r"val\.json: val_00001: unknown class 'purple_hexagon'"):
        SyntheticAVDataset(data_root=root, split='val', num_samples=2, pipeline=[])
