"""Rendering a step's prompt from its templates and parts, within a token budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import jinja2

from synthloop.core.errors import ConfigError
from synthloop.core.tasks import Task, with_article
from synthloop.core.tasktype import task_types
from synthloop.llm import LLMConfig, Message, Request
from synthloop.prompts.compose import Composed, Demo, RenderedParts
from synthloop.prompts.tokens import TokenCounter, approx_tokens

# How far a completion-mode answer runs: one example is one line; a list ends at a blank line.
STOPS = {"example": ("\n",), "list": ("\n\n",)}


#: filters every template may use: "a {{ noun }}" would read "a evidence sentence", so
#: templates write "{{ noun | a }}"
FILTERS: dict[str, Any] = {
    "a": with_article,
    "capitalize_first": lambda text: text[:1].upper() + text[1:],
}


def _type_templates(own: str) -> tuple[Path | None, list[Path]]:
    """The template folder of task type ``own``, and those of the other registered types."""
    types = task_types()
    others = [t.templates for name, t in types.items() if name != own and t.templates]
    return types[own].templates, others


class Prompter:
    """Renders prompts for one task and LLM mode.

    ``count_tokens`` measures a prompt for ``max_prompt_tokens`` (use
    :func:`synthloop.prompts.token_counter` to get the LLM's own tokenizer); demonstrations
    that would push a prompt over the budget are dropped, least relevant first.
    """

    def __init__(
        self,
        task: Task,
        llm: LLMConfig,
        templates_dir: str | Path | None = None,
        *,
        count_tokens: TokenCounter | None = None,
        max_prompt_tokens: int | None = None,
    ):
        self.task = task
        self.llm = llm
        self.count_tokens = count_tokens or approx_tokens
        self.max_prompt_tokens = max_prompt_tokens
        loaders: list[jinja2.BaseLoader] = []
        if templates_dir is not None:
            if not Path(templates_dir).is_dir():
                raise ConfigError(f"templates_dir is not a folder: {templates_dir}")
            loaders.append(jinja2.FileSystemLoader(str(templates_dir)))
        # the task type's own templates, the steps every type shares, then the other types'
        # (a template named in a config may belong to another type, as when all were one)
        own, others = _type_templates(task.type)
        loaders += [jinja2.FileSystemLoader(str(own))] if own is not None else []
        loaders.append(jinja2.PackageLoader("synthloop", "prompts/templates"))
        loaders += [jinja2.FileSystemLoader(str(d)) for d in others]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )
        self.env.filters.update(FILTERS)
        for step, path in task.templates.items():
            if not Path(path).is_file():
                raise ConfigError(
                    f"task {task.name!r}: template file for {step!r} not found: {path}"
                )

    # -- templates -------------------------------------------------------------------------

    def _template(self, name: str) -> tuple[str, jinja2.Template]:
        """The task's own file for this step (``NAME.MODE`` or ``NAME``), else ``NAME.MODE.j2``
        from ``templates_dir`` or the package."""
        own = self.task.templates.get(f"{name}.{self.llm.mode}") or self.task.templates.get(name)
        if own is not None:
            try:
                return own, self.env.from_string(Path(own).read_text(encoding="utf-8"))
            except jinja2.TemplateError as exc:
                raise ConfigError(f"prompt template {own}: {exc}") from exc
        template_name = f"{name}.{self.llm.mode}.j2"
        try:
            return template_name, self.env.get_template(template_name)
        except jinja2.TemplateNotFound as exc:
            raise ConfigError(f"no prompt template {template_name!r}") from exc
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template {template_name!r}: {exc}") from exc

    def _render(self, name: str, variables: dict[str, Any]) -> str:
        where, template = self._template(name)
        try:
            text = template.render(task=self.task, noun=self.task.example_noun, **variables)
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template {where!r}: {exc}") from exc
        return text.strip()

    def render_parts(
        self,
        conditions: Mapping[str, str] | None = None,
        demos: Sequence[Demo] = (),
        **variables: Any,
    ) -> RenderedParts:
        """The role, conditions and demonstrations parts as text (empty when absent)."""
        conditions = dict(conditions or {})
        common = {k: v for k, v in variables.items() if k not in ("role", "conditions", "demos")}
        return RenderedParts(
            role=self._render("role", {**common, "role": self.task.role}) if self.task.role else "",
            conditions=self._render("conditions", {**common, "conditions": conditions})
            if conditions
            else "",
            demos=self._render("demonstrations", {**common, "demos": list(demos)}) if demos else "",
        )

    def render(
        self,
        name: str,
        *,
        conditions: Mapping[str, str] | None = None,
        demos: Sequence[Demo] = (),
        **variables: Any,
    ) -> str:
        """The full prompt text of step ``name``: its template with the parts placed in it."""
        parts = self.render_parts(conditions, demos, **variables)
        text = self._render(
            name,
            {
                **variables,
                "parts": parts,
                "conditions": dict(conditions or {}),
                "demos": list(demos),
            },
        )
        return text + ("\n" if self.llm.mode == "completion" else "")

    # -- requests --------------------------------------------------------------------------

    def _request(
        self, text: str, *, seed: int, shape: Literal["example", "list"], max_tokens: int | None
    ) -> Request:
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

    def messages_request(
        self, messages: Sequence[Message], *, seed: int, max_tokens: int | None = None
    ) -> Request:
        """A chat request with a whole conversation (multi-turn steps), sampled like the rest."""
        return Request(
            messages=tuple(messages),
            temperature=self.llm.temperature,
            top_p=self.llm.top_p,
            max_tokens=max_tokens or self.llm.max_tokens,
            seed=seed,
        )

    def compose(
        self,
        name: str,
        *,
        seed: int,
        shape: Literal["example", "list"] = "example",
        max_tokens: int | None = None,
        conditions: Mapping[str, str] | None = None,
        demos: Sequence[Demo] = (),
        max_prompt_tokens: int | None = None,
        **variables: Any,
    ) -> Composed:
        """Render step ``name`` from its three parts into a request.

        ``demos`` go most relevant first; with a ``max_prompt_tokens`` budget (default: the
        prompter's) each is kept only if the prompt still fits with it, so demonstrations
        that would overflow are dropped. The budget only ever removes demonstrations: a
        prompt over it with none left is sent as it is.
        """
        budget = max_prompt_tokens or self.max_prompt_tokens
        conditions = {str(k): str(v) for k, v in (conditions or {}).items()}

        def measure(chosen: list[Demo]) -> tuple[str, int]:
            text = self.render(name, conditions=conditions, demos=chosen, **variables)
            return text, self.count_tokens(text)

        if budget is None:
            kept = list(demos)
            text, tokens = measure(kept)
        else:
            kept = []
            text, tokens = measure(kept)
            for demo in demos:  # most relevant first; one that would overflow is skipped
                trial_text, trial_tokens = measure([*kept, demo])
                if trial_tokens <= budget:
                    kept.append(demo)
                    text, tokens = trial_text, trial_tokens
        return Composed(
            request=self._request(text, seed=seed, shape=shape, max_tokens=max_tokens),
            conditions=conditions,
            demos=tuple(kept),
            demos_dropped=len(demos) - len(kept),
            prompt_tokens=tokens,
        )

    def request(
        self,
        name: str,
        *,
        seed: int,
        shape: Literal["example", "list"] = "example",
        max_tokens: int | None = None,
        **variables: Any,
    ) -> Request:
        """A request for step ``name`` (see :meth:`compose` for conditions and demos)."""
        return self.compose(
            name, seed=seed, shape=shape, max_tokens=max_tokens, **variables
        ).request
