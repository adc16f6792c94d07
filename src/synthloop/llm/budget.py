"""Hard limits on what a run may spend, as a wrapper around any LLM.

Put it inside the cache (``CachedLLM(BudgetedLLM(backend, ...))``) so that answers from
the cache cost nothing. A call starts only if, counting every call in flight at its
worst case (its prompt plus ``max_tokens``), the limits still hold; so the limits are
never crossed, and a call that cannot fit while others are in flight waits for them
instead of failing early. When the next call cannot fit even alone, the call raises
:class:`~synthloop.core.errors.BudgetExceeded`; everything already answered stays in the
cache and the journal, so a rerun with a higher limit resumes where this one stopped.

Prompt tokens are only known after a call. Before the first answer they are bounded by
the prompt's UTF-8 bytes (a byte-level BPE never makes more tokens than bytes); after
it, by the largest tokens-per-byte ratio seen so far, with a margin.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from decimal import Decimal

from synthloop.core.errors import BudgetExceeded, ConfigError
from synthloop.llm.base import LLM, Request, Response
from synthloop.llm.concurrency import PerLoop

#: tokens a chat template adds around each message (role markers), generously
TEMPLATE_TOKENS_PER_MESSAGE = 8


@dataclass(frozen=True)
class Prices:
    """What a provider charges, in your currency per million tokens."""

    prompt: float = 0.0
    completion: float = 0.0

    def cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        return (prompt_tokens * self.prompt + completion_tokens * self.completion) / 1e6


def cost_text(cost: float) -> str:
    """A cost with four decimals, or with two significant digits when smaller: a run at
    cents per million tokens spends 0.00003, which four decimals print as 0.0000."""
    if cost <= 0 or cost >= 0.0001:
        return f"{cost:.4f}"
    return f"{cost:.{1 - math.floor(math.log10(cost))}f}"


def _as_typed(value: float) -> str:
    """A limit as a user types it: 0.00005, not 5e-05."""
    return format(Decimal(repr(value)), "f")


@dataclass(frozen=True)
class Budget:
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_calls", "max_tokens", "max_cost"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be positive, not {value}")

    @property
    def unlimited(self) -> bool:
        return self.max_calls is None and self.max_tokens is None and self.max_cost is None


@dataclass
class Spent:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def prompt_bytes(request: Request) -> int:
    return len(request.text.encode("utf-8"))


def prompt_token_bound(request: Request, tokens_per_byte: float = 1.0) -> int:
    """An upper bound on the prompt tokens ``request`` will be billed for."""
    n_messages = len(request.messages) if request.messages else 1
    body = math.ceil(prompt_bytes(request) * tokens_per_byte)
    return body + TEMPLATE_TOKENS_PER_MESSAGE * (n_messages + 1)


class BudgetedLLM(LLM):
    backend = "budgeted"

    def __init__(self, inner: LLM, budget: Budget, prices: Prices | None = None) -> None:
        if budget.max_cost is not None and prices is None:
            raise ConfigError(
                "--max-cost needs prices: set llm.price_prompt and llm.price_completion"
            )
        self.inner = inner
        self.budget = budget
        self.prices = prices or Prices()
        self.max_concurrency = inner.max_concurrency
        self.spent = Spent()
        self._reserved = Spent()
        self._ratio = 1.0  # tokens per prompt byte, an upper bound until calls teach us
        self._cond = PerLoop(asyncio.Condition)

    @property
    def model(self) -> str:
        return self.inner.model

    def identity(self) -> dict[str, str]:
        return self.inner.identity()

    def worst_case(self, request: Request) -> Spent:
        prompt = prompt_token_bound(request, self._ratio)
        return Spent(
            calls=1,
            prompt_tokens=prompt,
            completion_tokens=request.max_tokens,
            cost=self.prices.cost(prompt, request.max_tokens),
        )

    def _overrun(self, extra: Spent, *, with_reserved: bool) -> str | None:
        """Which limit ``extra`` would cross, or None."""
        b, s, r = self.budget, self.spent, self._reserved
        k = 1 if with_reserved else 0
        if b.max_calls is not None and s.calls + k * r.calls + extra.calls > b.max_calls:
            return f"{s.calls} calls made, --max-calls {b.max_calls}"
        if b.max_tokens is not None and s.tokens + k * r.tokens + extra.tokens > b.max_tokens:
            return (
                f"{s.tokens:,} tokens used and the next call may take up to "
                f"{extra.tokens:,}, --max-tokens {b.max_tokens:,}"
            )
        if b.max_cost is not None and s.cost + k * r.cost + extra.cost > b.max_cost:
            return (
                f"{cost_text(s.cost)} spent and the next call may cost up to "
                f"{cost_text(extra.cost)}, "
                f"--max-cost {_as_typed(b.max_cost)}"
            )
        return None

    def _add(self, into: Spent, delta: Spent, sign: int = 1) -> None:
        into.calls += sign * delta.calls
        into.prompt_tokens += sign * delta.prompt_tokens
        into.completion_tokens += sign * delta.completion_tokens
        into.cost += sign * delta.cost

    async def complete(self, request: Request) -> Response:
        cond = self._cond.get()
        async with cond:
            while True:
                worst = self.worst_case(request)
                if self._overrun(worst, with_reserved=True) is None:
                    break
                reason = self._overrun(worst, with_reserved=False)
                if reason is not None:
                    raise BudgetExceeded(
                        f"budget reached: {reason}",
                        hint="everything answered so far is saved; run again with a higher "
                        "limit to continue",
                    )
                await cond.wait()  # it fits once calls in flight settle their real cost
            self._add(self._reserved, worst)
        try:
            resp = await self.inner.complete(request)
        finally:
            async with cond:
                self._add(self._reserved, worst, -1)
                cond.notify_all()
        async with cond:
            actual = Spent(
                calls=1,
                prompt_tokens=resp.prompt_tokens,
                completion_tokens=resp.completion_tokens,
                cost=self.prices.cost(resp.prompt_tokens, resp.completion_tokens),
            )
            self._add(self.spent, actual)
            n_bytes = prompt_bytes(request)
            if n_bytes and resp.prompt_tokens:
                observed = resp.prompt_tokens / n_bytes
                if self.spent.calls == 1:
                    self._ratio = observed * 1.25
                else:
                    self._ratio = max(self._ratio, observed * 1.25)
            cond.notify_all()
        return resp

    async def aclose(self) -> None:
        await self.inner.aclose()
