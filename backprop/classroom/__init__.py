"""Class mode's shared state: the instructor's moment, questions to the class and their answers.

A class is a short join code, a secret instructor key and a small record that every session of every server
process can read: the instructor's current moment (the step-through link's query parameters), a version
number that goes up on every change (what a following student's page polls), the open question, each
student's answer to it, and the results of the questions revealed so far.

Two back ends pass the same tests (tests/test_classroom.py):
- `MemoryStore`: in this process, thread-safe, no set-up: one `streamlit run app.py`;
- `RedisStore`: in Redis, for several processes behind a load balancer; the `redis` client is imported only
  when this back end is chosen.

`open_store(url)` picks one: a ``redis://`` or ``rediss://`` URL gives Redis, None gives the in-process
store. This package knows nothing of Streamlit or the lesson; it stores what it is given (short strings).
"""

from __future__ import annotations

from .memory import MemoryStore
from .store import (
    ANSWER_MAX,
    CLASS_TTL,
    CODE_ALPHABET,
    CODE_LENGTH,
    NICKNAME_MAX,
    ClassState,
    ClassStore,
    Forbidden,
    NoSuchClass,
    QuestionResult,
    StoreUnavailable,
    WrongCodes,
    clean_nickname,
    normalise_code,
)

__all__ = [
    "ANSWER_MAX",
    "CLASS_TTL",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "NICKNAME_MAX",
    "ClassState",
    "ClassStore",
    "Forbidden",
    "MemoryStore",
    "NoSuchClass",
    "QuestionResult",
    "StoreUnavailable",
    "WrongCodes",
    "clean_nickname",
    "normalise_code",
    "open_store",
]


def open_store(url: str | None = None, **options) -> ClassStore:
    """The store for `url`: Redis for redis:// (or rediss://, unix://) URLs, this process's memory for None or ""."""
    if not url:
        return MemoryStore(**options)
    if url.split("://", 1)[0] not in ("redis", "rediss", "unix"):
        raise ValueError(f"the class store URL must start with redis://, rediss:// or unix://, not “{url[:30]}”")
    from .redis_store import RedisStore  # the redis client only where Redis is used

    return RedisStore(url, **options)
