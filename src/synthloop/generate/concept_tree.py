"""A concept tree: the LLM expands a root topic into subtopics, level by level, to a given
depth; generation then walks its leaves, so the data spreads over many specific topics
instead of the few a model finds most likely.

The tree is saved as a YAML file a user can read and edit (rename, prune, add topics);
when the file exists it is used as it is and the LLM is not asked again. The expansion
calls go through the LLM (and its response cache) like any other call.

File format: a mapping from the root to its subtopics; a node with subtopics is a
mapping, a list holds leaves (or mappings), and an empty value is a leaf::

    movies:
      horror: [slasher films, ghost stories]
      comedy:
        romantic comedy:
        parody: [spoof trailers]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from synthloop.core.errors import ConfigError, warn
from synthloop.core.io import write_text_atomic
from synthloop.core.seeds import derive_seed
from synthloop.core.yamlio import read_yaml
from synthloop.generate.common import Job, Plan, Stage, run_plan
from synthloop.generate.parse import _BULLET, parse_list
from synthloop.llm import LLM
from synthloop.prompts import Prompter

#: joins a leaf's path (below the root) into the condition a prompt shows
SEPARATOR = " > "


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)

    def leaves(self, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        """Paths from the root to every leaf, root first, in file order."""
        here = (*path, self.name)
        if not self.children:
            return [here]
        return [leaf for child in self.children for leaf in child.leaves(here)]

    def size(self) -> int:
        return 1 + sum(c.size() for c in self.children)

    def to_yaml_value(self) -> Any:
        if not self.children:
            return None
        if all(not c.children for c in self.children):
            return [c.name for c in self.children]
        return {c.name: c.to_yaml_value() for c in self.children}


def leaf_topic(path: tuple[str, ...], skip: int = 1) -> str:
    """What a prompt shows for a leaf: its path below the root ("horror > slasher films");
    ``skip=2`` also leaves out a per-label tree's label level."""
    return SEPARATOR.join(path[skip:]) if len(path) > skip else path[-1]


def _name(key: Any, where: str) -> str:
    """A topic's name: a mapping key that says something (YAML reads ``null:`` as None)."""
    if key is None or not str(key).strip():
        raise ConfigError(f"concept tree: {where} has a topic with no name")
    return str(key)


def _children(value: Any, where: str) -> list[Node]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [Node(_name(k, where), _children(v, f"{where} > {k}")) for k, v in value.items()]
    if isinstance(value, list):
        out: list[Node] = []
        for item in value:
            if isinstance(item, dict):
                out.extend(_children(item, where))
            elif isinstance(item, str | int | float) and str(item).strip():
                out.append(Node(str(item).strip()))
            else:
                raise ConfigError(f"concept tree: {where} has an entry that is not a topic")
        return out
    if isinstance(value, str | int | float):
        return [Node(str(value))]
    raise ConfigError(f"concept tree: {where} is neither a mapping, a list nor empty")


def tree_from_mapping(data: Any, source: str = "concept tree") -> Node:
    if not isinstance(data, dict) or len(data) != 1:
        raise ConfigError(f"{source}: a concept tree is a mapping with one root topic")
    ((name, value),) = data.items()
    root = _name(name, source)
    return Node(root, _children(value, root))


def load_tree(path: str | Path) -> Node:
    path = Path(path)
    return tree_from_mapping(read_yaml(path, "concept tree"), str(path))


def save_tree(tree: Node, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "# Concept tree written by synthloop: edit freely (rename, prune, add subtopics);\n"
        "# generation walks its leaves, and this file is used as it is while it exists.\n"
        + yaml.safe_dump({tree.name: tree.to_yaml_value()}, sort_keys=False, allow_unicode=True)
    )
    return write_text_atomic(text, path)


_DESCRIBED = re.compile(r"\s*(?::|\s[-–—]\s|\()\s*")


def subtopic_items(raw: str, max_words: int = 8) -> list[str]:
    """Subtopics from a list answer: numbered or bulleted lines when there are any (so a
    chatty "Here you go:" is not a topic), never a header line ending in a colon; an item
    written as "Title: what it covers" (or "Title - …", "Title (…)") keeps its title."""
    lines = [ln for ln in (raw or "").splitlines() if ln.strip() and not ln.rstrip().endswith(":")]
    marked = [ln for ln in lines if _BULLET.match(ln) and _BULLET.sub("", ln).strip()]
    titles = []
    for line in marked or lines:
        body = _BULLET.sub("", line).strip().strip("*_").strip()
        head = _DESCRIBED.split(body, maxsplit=1)[0].strip()
        titles.append(head if head else body)
    items = parse_list("\n".join(titles), min_words=1, max_words=max_words)
    return [item.rstrip(".").strip() for item in items]


def expand_tree_plan(
    prompter: Prompter,
    root: str,
    *,
    depth: int = 2,
    branching: int = 4,
    seed: int = 0,
    first_level: list[str] | None = None,
) -> Plan[tuple[Node, int]]:
    """Ask the LLM for ``branching`` subtopics of each node, ``depth`` levels down.
    ``first_level`` fixes the root's children (e.g. the labels) and expands below them.
    Returns the tree and the number of calls made (one per expanded node)."""
    tree = Node(root)
    frontier: list[tuple[Node, tuple[str, ...]]] = [(tree, ())]
    if first_level:
        tree.children = [Node(name) for name in first_level]
        frontier = [(child, (root,)) for child in tree.children]
    calls = 0
    for level in range(depth):
        jobs = [
            Job(
                request=prompter.request(
                    "subtopics",
                    seed=derive_seed(seed, "subtopics", *path, node.name),
                    shape="list",
                    max_tokens=16 * branching + 16,
                    topic=node.name,
                    path=list(path),
                    n=branching,
                ),
                label="",
            )
            for node, path in frontier
        ]
        answers = yield Stage(
            name=f"concept-tree-L{level + 1}",
            jobs=jobs,
            progress=f"concept tree L{level + 1}",
            shape="list",
            items=branching,
        )
        calls += len(jobs)
        next_frontier = []
        for (node, path), answer in zip(frontier, answers, strict=True):
            taken = {node.name.lower(), *(p.lower() for p in path)}
            # a completion prompt ends in "1.", so the answer starts mid-list
            raw = "1. " + answer.text if prompter.llm.mode == "completion" else answer.text
            for name in subtopic_items(raw):
                if name.lower() in taken or len(node.children) >= branching:
                    continue
                taken.add(name.lower())
                child = Node(name)
                node.children.append(child)
                next_frontier.append((child, (*path, node.name)))
        frontier = next_frontier
        if not frontier:
            break
    return tree, calls


def tree_plan(
    prompter: Prompter,
    root: str,
    *,
    path: str | Path | None = None,
    depth: int = 2,
    branching: int = 4,
    seed: int = 0,
    first_level: list[str] | None = None,
    save: bool = True,
) -> Plan[tuple[Node, int]]:
    """The tree saved at ``path`` if that file exists (no calls); else expand it, and save
    it there unless ``save`` is off (an estimate writes nothing)."""
    if path is not None and Path(path).is_file():
        tree = load_tree(path)
        fixed = 1 + (len(tree.children) if first_level else 0)  # the root, and any labels
        # a tree is there for the topics under it; one with none (pruned bare, or saved so
        # after the warning below) conditions every prompt on the root: said, not refused,
        # so a rerun of a run that went on after that warning goes on too. A per-label
        # file with no labels is ConditionPlan's error.
        if tree.size() == fixed and (tree.children or not first_level):
            warn(
                f"concept tree: {path} names no topics under {tree.name!r}: generation walks "
                f"{'the labels' if first_level else 'the root'} alone; write the topics into "
                "it by hand, or delete it for the LLM to expand"
            )
        return tree, 0
    tree, calls = yield from expand_tree_plan(
        prompter, root, depth=depth, branching=branching, seed=seed, first_level=first_level
    )
    if calls and tree.size() == 1 + len(first_level or []):
        # A small model can answer with no list item (every line a "Title:" header, say);
        # the tree is then the root alone, and the saved file keeps it so on every rerun.
        # Said once here, or a user learns it only from the file.
        kept = (
            f"; {path} keeps it so: write the topics into it by hand"
            if (path is not None and save)
            else ""
        )
        warn(
            f"concept tree: the LLM named no subtopics of {root!r} in {calls} call(s); "
            f"generation walks {'the labels' if first_level else 'the root'} alone{kept}"
        )
    if path is not None and save:
        save_tree(tree, path)
    return tree, calls


async def expand_tree(
    llm: LLM,
    prompter: Prompter,
    root: str,
    *,
    show_progress: bool = True,
    **options: Any,
) -> tuple[Node, int]:
    """Run :func:`expand_tree_plan` against ``llm`` (the same options)."""
    plan = expand_tree_plan(prompter, root, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)


async def load_or_expand_tree(
    llm: LLM,
    prompter: Prompter,
    root: str,
    *,
    show_progress: bool = True,
    **options: Any,
) -> tuple[Node, int]:
    """Run :func:`tree_plan` against ``llm`` (the same options)."""
    plan = tree_plan(prompter, root, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
