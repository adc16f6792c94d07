"""Hugging Face datasets in and out: real data and tasks from a ``datasets.Dataset``, a
run written as a ``DatasetDict`` with a dataset card, and ``synthloop push``."""

from synthloop.hf.card import dataset_card
from synthloop.hf.export import export_run, run_dataset_dict
from synthloop.hf.load import load_dataset_records, task_from_dataset
from synthloop.hf.push import push_run

__all__ = [
    "dataset_card",
    "export_run",
    "load_dataset_records",
    "push_run",
    "run_dataset_dict",
    "task_from_dataset",
]
