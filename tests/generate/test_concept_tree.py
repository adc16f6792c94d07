from pathlib import Path

import pytest

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task
from synthloop.generate.concept_tree import (
    leaf_topic,
    load_or_expand_tree,
    load_tree,
    save_tree,
    tree_from_mapping,
)
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from tests.generate.fakes import RecordingLLM, first_message


async def test_expands_to_depth_saves_and_reuses_the_file(tmp_path: Path, task: Task) -> None:
    fake = RecordingLLM()
    llm = CachedLLM(fake, tmp_path / "cache.sqlite")
    prompter = Prompter(task, LLMConfig())
    path = tmp_path / "tree.yaml"
    tree, calls = await load_or_expand_tree(
        llm, prompter, "dining", path=path, depth=2, branching=3, show_progress=False
    )
    assert calls == 1 + 3 and fake.calls == 4  # the root, then each of its 3 children
    assert [c.name for c in tree.children] == ["dining part 1", "dining part 2", "dining part 3"]
    leaves = tree.leaves()
    assert len(leaves) == 9 and all(len(p) == 3 for p in leaves)
    assert leaf_topic(leaves[0]) == "dining part 1 > 1 part 1"
    # the level-2 prompts say where in the tree they are
    assert 'subtopics of "dining part 2" (within dining)' in first_message(fake.requests[2])

    # the saved file is used as it is: edit it, and generation follows the edit
    path.write_text("dining:\n  brunch: [eggs, pancakes]\n  late night:\n", encoding="utf-8")
    edited, calls = await load_or_expand_tree(
        llm, prompter, "dining", path=path, show_progress=False
    )
    assert calls == 0 and fake.calls == 4
    assert [leaf_topic(p) for p in edited.leaves()] == [
        "brunch > eggs",
        "brunch > pancakes",
        "late night",
    ]
    # without the file, the expansion is served from the LLM cache
    path.unlink()
    again, _ = await load_or_expand_tree(
        llm, prompter, "dining", path=path, depth=2, branching=3, show_progress=False
    )
    assert fake.calls == 4 and again.leaves() == leaves and path.exists()


def test_round_trip_and_malformed_files(tmp_path: Path) -> None:
    tree = tree_from_mapping({"films": {"horror": ["slasher", "ghost"], "comedy": None}})
    path = save_tree(tree, tmp_path / "t.yaml")
    assert load_tree(path).leaves() == tree.leaves()
    (tmp_path / "bad.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="one root topic"):
        load_tree(tmp_path / "bad.yaml")
    (tmp_path / "broken.yaml").write_text("films: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed YAML"):
        load_tree(tmp_path / "broken.yaml")


@pytest.mark.parametrize(
    "text", ['films:\n  horror: [slasher]\n  "": [ghost]\n', "films:\n  null: [x]\n", "null: [x]\n"]
)
def test_a_topic_with_no_name_is_refused(tmp_path: Path, text: str) -> None:
    # was: accepted, and prompts asked for the topic " > ghost" or "None > x"
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="has a topic with no name"):
        load_tree(tmp_path / "t.yaml")


async def test_a_per_label_tree_expands_below_the_labels(tmp_path: Path, task: Task) -> None:
    fake = RecordingLLM()
    tree, calls = await load_or_expand_tree(
        fake,
        Prompter(task, LLMConfig()),
        "dining",
        depth=1,
        branching=2,
        first_level=task.label_names,
        show_progress=False,
    )
    assert calls == 2 and [c.name for c in tree.children] == ["positive", "negative"]
    assert tree.leaves() == [
        ("dining", "positive", "positive part 1"),
        ("dining", "positive", "positive part 2"),
        ("dining", "negative", "negative part 1"),
        ("dining", "negative", "negative part 2"),
    ]


def test_subtopic_answers_skip_chatty_headers() -> None:
    from synthloop.generate.concept_tree import subtopic_items

    chatty = "Sure! Here are some subtopics:\n1. Horror films\n2. Romantic comedy.\n"
    assert subtopic_items(chatty) == ["Horror films", "Romantic comedy"]
    assert subtopic_items("Westerns\nFilm noir") == ["Westerns", "Film noir"]  # unnumbered
    described = (
        '1. Best movies of 2020: The latest releases, including movies like "Avatar".\n\n'
        "2. **Silent films** - the era before sound, and the stars who came with it\n"
        "3. Biopics (films about the lives of real people, from kings to singers)\n"
    )
    assert subtopic_items(described) == ["Best movies of 2020", "Silent films", "Biopics"]


async def test_an_expansion_with_no_subtopics_is_said_not_silently_saved(
    tmp_path: Path, task: Task, capsys: pytest.CaptureFixture[str]
) -> None:
    # SmolLM2's answer, verbatim: every line ends in a colon, so none is a topic; the tree
    # was saved as the root alone ("movies: null") with no word, and reused on every rerun
    answer = "Here are the 4 subtopics:\n\n" + "\n".join(
        f"{i}. Unsought: Unsought: Unsought:" for i in range(1, 5)
    )
    path = tmp_path / "tree.yaml"
    tree, calls = await load_or_expand_tree(
        RecordingLLM(lambda _: answer), Prompter(task, LLMConfig()), "movies",
        path=path, depth=2, show_progress=False,
    )  # fmt: skip
    assert calls == 1 and tree.leaves() == [("movies",)]
    err = capsys.readouterr().err
    assert "warning: concept tree: the LLM named no subtopics of 'movies' in 1 call(s)" in err
    assert f"{path} keeps it so" in err
    # a tree that did expand says nothing
    await load_or_expand_tree(
        RecordingLLM(), Prompter(task, LLMConfig()), "dining", depth=1, show_progress=False
    )
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "per_label", "alone"),
    [
        ("movies:\n", False, "the root"),
        ("movies: []\n", False, "the root"),
        ("movies: [positive, negative]\n", True, "the labels"),
    ],
)
async def test_a_tree_file_with_no_topics_is_said_not_silently_walked(
    tmp_path: Path,
    task: Task,
    capsys: pytest.CaptureFixture[str],
    text: str,
    per_label: bool,
    alone: str,
) -> None:
    # was: no word, and every prompt conditioned on the root ("topic: movies") alone
    path = tmp_path / "tree.yaml"
    path.write_text(text)
    llm = RecordingLLM()
    _, calls = await load_or_expand_tree(
        llm, Prompter(task, LLMConfig()), "movies", path=path, show_progress=False,
        first_level=task.label_names if per_label else None,
    )  # fmt: skip
    assert calls == llm.calls == 0  # the file is used as it is
    err = capsys.readouterr().err
    assert err.count("warning:") == 1, err
    assert (
        f"warning: concept tree: {path} names no topics under 'movies': generation walks "
        f"{alone} alone; write the topics into it by hand, or delete it for the LLM to expand"
    ) in " ".join(err.split())
    path.write_text("movies: [horror, comedy]\n")  # a tree with topics says nothing
    await load_or_expand_tree(
        llm, Prompter(task, LLMConfig()), "movies", path=path, show_progress=False
    )
    assert "warning" not in capsys.readouterr().err
