"""Multi-turn dialogues, built turn by turn: the LLM plays the user and the assistant in
turn for ``turns`` messages, each call seeing the conversation so far. In chat mode the
conversation is sent as real chat messages, with the roles swapped when the LLM plays the
user (so it always answers as itself); in completion mode it continues a transcript.

A record's text is the transcript ("User: …\\nAssistant: …"); ``extra["turns"]`` keeps the
messages, and the label is the one the user's side was asked to express."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from synthloop.core.errors import ConfigError
from synthloop.core.records import Record
from synthloop.core.seeds import derive_seed
from synthloop.generate.common import Generation, Job, Plan, Stage, reject_for_task, run_plan
from synthloop.generate.conditional import ConditionPlan, conditional_jobs
from synthloop.generate.parse import _strip_quotes
from synthloop.llm import LLM, Message, Request
from synthloop.prompts import Prompter

SPEAKERS = {"user": "User", "assistant": "Assistant"}
_SPEAKER_PREFIX = re.compile(r"^\s*(?:user|assistant|customer|agent|me|you)\s*:\s*", re.IGNORECASE)
_NEXT_SPEAKER = re.compile(r"\n\s*(?:user|assistant)\s*:", re.IGNORECASE)


def clean_turn(raw: str, min_words: int = 2) -> str | None:
    """One message from an answer: speaker prefixes and quotes removed, cut where the model
    starts writing the other side; None when too little is left."""
    text = (raw or "").replace("\r", "")
    cut = _NEXT_SPEAKER.search(text)
    if cut:
        text = text[: cut.start()]
    text = _strip_quotes(_SPEAKER_PREFIX.sub("", text.strip(), count=1))
    text = " ".join(text.split())
    return text if len(text.split()) >= min_words else None


def transcript(turns: list[dict[str, str]]) -> str:
    return "\n".join(f"{SPEAKERS[t['role']]}: {t['content']}" for t in turns)


def _chat_turn(
    prompter: Prompter,
    speaker: str,
    history: list[dict[str, str]],
    variables: dict[str, Any],
    seed: int,
) -> Request:
    instruction = prompter.render(f"dialogue_{speaker}", history=history, **variables).strip()
    if not history:
        return prompter.messages_request([Message(role="user", content=instruction)], seed=seed)
    # the played side is "assistant"; the other side's messages are "user"
    messages = [Message(role="system", content=instruction)]
    for t in history:
        role = "assistant" if t["role"] == speaker else "user"
        messages.append(Message(role=role, content=t["content"]))
    return prompter.messages_request(messages, seed=seed)


def dialogues_plan(
    prompter: Prompter,
    n: int,
    *,
    turns: int = 4,
    user: str = "a customer",
    assistant: str = "a helpful assistant",
    plan: ConditionPlan | None = None,
    seed: int = 0,
    round: int = 0,
    method: str = "dialogue",
) -> Plan[Generation]:
    """``n`` dialogues of ``turns`` messages (user first): ``n × turns`` calls at most. A
    dialogue whose turn comes back empty is dropped (``turn_empty``), and so is one whose
    user turn breaks the task's reject rules (e.g. ``chatter``: the LLM answered as an
    assistant where it plays the user)."""
    task = prompter.task
    if len(task.inputs) != 1 or not task.has_labels:  # one text with one class label
        raise ConfigError(
            f"dialogue generation writes labelled single-text transcripts; a {task.type} "
            "task keeps real inputs (use conditional or rationale-example)"
        )
    # the first turn's jobs fix each dialogue's label and condition
    starts = conditional_jobs(
        prompter,
        n,
        plan=plan,
        seed=seed,
        round=round,
        method=method,
        template="dialogue_user",
        variables={"user": user, "assistant": assistant, "history": []},
    )
    live: list[dict[str, Any]] = [{"job": j, "turns": [], "i": i} for i, j in enumerate(starts)]
    dropped: Counter[str] = Counter()
    calls = 0
    model = ""
    for t in range(turns):
        speaker = "user" if t % 2 == 0 else "assistant"
        jobs = []
        for d in live:
            job = d["job"]
            if t == 0:
                jobs.append(job)
                continue
            variables = {
                "label": job.label,
                "label_description": task.labels[job.label],
                "conditions": job.extra.get("conditions", {}),
                "user": user,
                "assistant": assistant,
            }
            turn_seed = derive_seed(seed, method, round, d["i"], t)
            if prompter.llm.mode == "chat":
                request = _chat_turn(prompter, speaker, d["turns"], variables, turn_seed)
            else:
                request = prompter.compose(
                    f"dialogue_{speaker}", seed=turn_seed, history=d["turns"], **variables
                ).request
            jobs.append(Job(request=request, label=job.label))
        answers = yield Stage(
            name=f"{method}-r{round}-turn{t + 1}",
            jobs=jobs,
            progress=f"{method} turn {t + 1}",
        )
        calls += len(jobs)
        still = []
        for d, answer in zip(live, answers, strict=True):
            model = answer.model or model
            message = clean_turn(answer.text)
            if message is None:
                dropped["turn_empty"] += 1
                continue
            rejected = reject_for_task(message, d["job"], task) if speaker == "user" else None
            if rejected:
                dropped[rejected] += 1
                continue
            d["turns"].append({"role": speaker, "content": message})
            still.append(d)
        live = still
    gen = Generation(records=[], dropped=dropped, calls=calls)
    seen: set[str] = set()
    for d in live:
        text = transcript(d["turns"])
        if text.lower() in seen:
            gen.dropped["duplicate"] += 1
            continue
        seen.add(text.lower())
        job = d["job"]
        gen.records.append(
            Record(
                id=f"{method}-r{round}-{d['i']:05d}",
                inputs={task.text_field: text},
                label=job.label,
                method=method,
                round=round,
                model=model,
                prompt_hash=job.request.digest(),
                extra={**job.extra, "turns": d["turns"]},
            )
        )
    return gen


async def dialogues(
    llm: LLM,
    prompter: Prompter,
    n: int,
    *,
    show_progress: bool = True,
    **options: Any,
) -> Generation:
    """Run :func:`dialogues_plan` against ``llm`` (the same options)."""
    plan = dialogues_plan(prompter, n, **options)
    return await run_plan(llm, prompter.task, plan, show_progress=show_progress)
