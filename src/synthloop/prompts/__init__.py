"""Prompts as Jinja2 templates a user can read and override, composed of three parts.

Each generation step has one template per mode: ``NAME.chat.j2`` (the user message for
instruct models) and ``NAME.completion.j2`` (a text to continue, for base models). A
``templates_dir`` given in the run config is searched first, so copying one file there
and editing it changes that step only; a task YAML may also name its own file for a step
(``templates: {zerogen: my_zerogen.j2}``). Templates see ``task``, ``noun``, ``parts``
(the rendered role, conditions and demonstrations, see :mod:`synthloop.prompts.compose`),
``conditions``, ``demos`` and the step's own variables; an unknown variable is an error,
not an empty string.
"""

from synthloop.prompts.compose import Composed, Demo, RenderedParts
from synthloop.prompts.prompter import STOPS, Prompter
from synthloop.prompts.tokens import TokenCounter, approx_tokens, token_counter

__all__ = [
    "STOPS",
    "Composed",
    "Demo",
    "Prompter",
    "RenderedParts",
    "TokenCounter",
    "approx_tokens",
    "token_counter",
]
