"""Text that is no example whatever the task type: refusals and assistant talk. Generation
drops such answers, curation's refusal filter drops such records, and the instruction
filter judges instructions and responses by the same patterns."""

from __future__ import annotations

import re

#: a chat model answering as an assistant instead of writing the example
CHATTER = re.compile(
    r"\b(?:i(?:'?m| am) (?:here|ready|happy) to (?:help|assist)|how can i (?:help|assist)|"
    r"what (?:topic|would you like))\b",
    re.IGNORECASE,
)

#: refusals and assistant talk anywhere in a text (generation's filters use it too)
REFUSAL = re.compile(
    r"\b(?:i'?m sorry|i am sorry|i apologi[sz]e|as an ai|as a language model|"
    r"i (?:can ?not|can't|won't|am unable to|'m unable to|am not able to) "
    r"(?:write|create|provide|generate|help(?! but)|assist|fulfil|comply|produce)|"
    r"against my (?:guidelines|programming|policy)|i'?m not comfortable)\b",
    re.IGNORECASE,
)

#: assistant talk about itself, beyond CHATTER: too broad for a review ("I'm not ready for
#: the sequel"), but no hypothesis, question or instruction of real data says it (none of
#: RTE's 2,767 hypotheses nor QNLI's 5,463 questions, train and validation/test)
SELF_TALK = re.compile(
    r"\bi(?:'?m| am) (?:not )?ready\b|^\s*i'?ll\b|\bi(?:'ll| will| would) be (?:ready|happy|glad) "
    r"to\b|\bwhat do you need help with\b|\bhow may i (?:help|assist)\b|"
    r"\bplease provide (?:the|a|an|me)\b",
    re.IGNORECASE,
)
