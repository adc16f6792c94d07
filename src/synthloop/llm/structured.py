"""Structured output: an answer that validates against a pydantic model, or an error.

The request carries the model's JSON schema, so a server that supports
``response_format: json_schema`` (and the embedded engine, through a llama.cpp grammar)
constrains decoding to it. The answer is still validated here, because many servers
ignore the field and a grammar cannot express every constraint; an answer that fails is
shown back to the model with the validation error, a bounded number of times.
"""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from synthloop.core.errors import StructuredOutputError
from synthloop.llm.base import LLM, Message, Request

T = TypeVar("T", bound=BaseModel)

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def schema_text(model: type[BaseModel]) -> str:
    return json.dumps(model.model_json_schema(), sort_keys=True, separators=(",", ":"))


def extract_json(text: str) -> str:
    """The JSON inside an answer: a fenced block, or from the first brace to the last."""
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text.strip()


def with_schema(request: Request, model: type[BaseModel]) -> Request:
    return request.model_copy(update={"json_schema": schema_text(model)})


def _short(error: ValidationError | ValueError) -> str:
    if isinstance(error, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
            for e in error.errors()[:5]
        ]
        return "; ".join(parts)
    return " ".join(str(error).split())[:200]


async def complete_structured(
    llm: LLM, request: Request, model: type[T], *, max_reasks: int = 2
) -> T:
    """Ask ``request`` and return its answer parsed as ``model``.

    Chat requests that fail validation are re-asked with the bad answer and the error
    appended (a new request, so a new cache entry); completion requests are re-asked with
    a new seed. After ``max_reasks`` re-asks a :class:`StructuredOutputError` says why.
    """
    current = with_schema(request, model)
    problem = ""
    for attempt in range(max_reasks + 1):
        resp = await llm.complete(current)
        try:
            return model.model_validate_json(extract_json(resp.text))
        except (ValidationError, ValueError) as exc:
            problem = _short(exc)
        if attempt == max_reasks:
            break
        if current.messages is not None:
            follow_up = (
                f"That answer is not valid: {problem}. Reply with only a JSON object that "
                f"follows this schema: {current.json_schema}"
            )
            current = current.model_copy(
                update={
                    "messages": (
                        *current.messages,
                        Message(role="assistant", content=resp.text),
                        Message(role="user", content=follow_up),
                    )
                }
            )
        else:
            seed = (current.seed or 0) + 1
            current = current.model_copy(update={"seed": seed})
    raise StructuredOutputError(
        f"no answer fitted {model.__name__} after {max_reasks + 1} tries: {problem}",
        hint="raise max_reasks, simplify the schema, or use a stronger model",
    )
