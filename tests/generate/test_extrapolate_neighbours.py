from pathlib import Path

from synthloop.core.io import load_records
from synthloop.core.records import Record
from synthloop.core.tasks import Task
from synthloop.generate.demos import DemoPool, DemoSelector
from synthloop.generate.extrapolate import extrapolate
from synthloop.llm import CachedLLM, LLMConfig
from synthloop.prompts import Prompter
from synthloop.s3.config import S3Config
from synthloop.s3.examples import ExampleStrategy
from synthloop.s3.loop import s3_loop
from tests.generate.fakes import RecordingLLM, bag_of_words_embed, first_message


async def test_extrapolation_shows_the_errors_real_neighbours(task: Task) -> None:
    real = [
        Record(id="e1", inputs={"text": "the soup was cold and salty"}, label="negative"),
        Record(id="n1", inputs={"text": "cold soup, salty bread"}, label="negative"),
        Record(id="n2", inputs={"text": "rude staff at the door"}, label="negative"),
        Record(id="p1", inputs={"text": "warm soup and kind staff"}, label="positive"),
    ]
    pool = DemoPool(real, task, embed=bag_of_words_embed)
    llm = RecordingLLM()
    gen = await extrapolate(
        llm,
        Prompter(task, LLMConfig()),
        [real[0]],
        neighbours=DemoSelector(pool, k=1),
        show_progress=False,
    )
    prompt = first_message(llm.requests[0])
    assert "cold soup, salty bread" in prompt  # the nearest same-label neighbour
    assert prompt.count("the soup was cold and salty") == 1  # the error itself, once
    assert gen.records[0].extra == {"demos": ["n1"]} and gen.records[0].parent_id == "e1"


async def test_s3_loop_passes_neighbours_to_every_round(
    tmp_path: Path, task: Task, real_files: dict[str, Path]
) -> None:
    val = load_records(real_files["validation"], task, split_name="validation")
    llm = CachedLLM(RecordingLLM(), tmp_path / "c.sqlite")
    strategy = ExampleStrategy(
        Prompter(task, LLMConfig()),
        val,
        None,
        S3Config(seed_size=4, rationale_calls_per_label=1, rounds=1, max_errors_per_round=3),
        neighbours=DemoSelector(DemoPool(val, task, embed=bag_of_words_embed), k=2),
    )
    result = await s3_loop(llm, strategy, 1, show_progress=False)
    extrapolated = [r for r in result.dataset if r.method == "extrapolate"]
    assert extrapolated
    ids = {r.id for r in val}
    for rec in extrapolated:
        assert len(rec.extra["demos"]) == 2 and set(rec.extra["demos"]) <= ids
        assert rec.parent_id not in rec.extra["demos"]
