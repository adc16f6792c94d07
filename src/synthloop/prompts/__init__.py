"""Prompts as Jinja2 templates a user can read and override.

Each generation step has one template per mode: ``NAME.chat.j2`` (the user message for
instruct models) and ``NAME.completion.j2`` (a text to continue, for base models). A
``templates_dir`` given in the run config is searched first, so copying one file there
and editing it changes that step only. Templates see ``task``, ``noun`` and the step's
own variables; an unknown variable is an error, not an empty string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import jinja2

from synthloop.errors import ConfigError
from synthloop.llm import LLMConfig, Request
from synthloop.tasks import Task

# How far a completion-mode answer runs: one example is one line; a list ends at a blank line.
STOPS = {"example": ("\n",), "list": ("\n\n",)}


class Prompter:
    def __init__(self, task: Task, llm: LLMConfig, templates_dir: str | Path | None = None):
        self.task = task
        self.llm = llm
        loaders: list[jinja2.BaseLoader] = []
        if templates_dir is not None:
            if not Path(templates_dir).is_dir():
                raise ConfigError(f"templates_dir is not a folder: {templates_dir}")
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        loaders.append(jinja2.PackageLoader("synthloop", "prompts/templates"))
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )

    def render(self, name: str, **variables: Any) -> str:
        template_name = f"{name}.{self.llm.mode}.j2"
        try:
            template = self.env.get_template(template_name)
            text = template.render(task=self.task, noun=self.task.example_noun, **variables)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(f"no prompt template {template_name!r}") from exc
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template {template_name!r}: {exc}") from exc
        return text.strip() + ("\n" if self.llm.mode == "completion" else "")

    def request(
        self,
        name: str,
        *,
        seed: int,
        shape: Literal["example", "list"] = "example",
        max_tokens: int | None = None,
        **variables: Any,
    ) -> Request:
        text = self.render(name, **variables)
        params: dict[str, Any] = {
            "temperature": self.llm.temperature,
            "top_p": self.llm.top_p,
            "max_tokens": max_tokens or self.llm.max_tokens,
            "seed": seed,
        }
        if self.llm.mode == "chat":
            return Request.chat(text, **params)
        # completion prompts end with an open line ("Review:") that the model fills in
        return Request(prompt=text.rstrip("\n") + " ", stop=STOPS[shape], **params)
