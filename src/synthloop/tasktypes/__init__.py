"""Task types: what differs between classification, sentence pairs, extractive QA and
instruction data. Each type is one folder here (its :class:`~synthloop.core.tasktype.
TaskType` subclass and its prompt templates) and one line below: the registry.

Shared by every type: :mod:`synthloop.tasktypes.rules`, the text that is no example at all.
"""

from synthloop.core.tasktype import TaskType, register_task_type, task_type, task_types
from synthloop.tasktypes.classification import Classification
from synthloop.tasktypes.instruction import Instruction
from synthloop.tasktypes.pair import Pair
from synthloop.tasktypes.qa import QA

# The registry: one line per task type.
register_task_type(Classification())
register_task_type(Pair())
register_task_type(QA())
register_task_type(Instruction())

__all__ = ["TaskType", "register_task_type", "task_type", "task_types"]
