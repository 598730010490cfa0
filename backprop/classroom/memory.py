"""The class store in this process's memory: one lock around plain dicts. For one server process."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import store as s
from .store import ClassState, ClassStore, Forbidden, NoSuchClass, QuestionResult, WrongCodes


@dataclass
class _Class:
    key_hash: str
    moment: dict[str, str]
    touched: float  # the instructor's last action (clock seconds)
    version: int = 1
    ended: bool = False
    questions: list[dict[str, str]] = field(default_factory=list)  # in order; the last may be open
    opened: int = 0  # question ids given out so far (reserved or opened): each question gets an id of its own
    last_opened: int = 0  # the id of the question opened last (a reserved id must be newer to be opened)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)  # question id → student → answer
    results: dict[str, QuestionResult] = field(default_factory=dict)
    students: dict[str, str] = field(default_factory=dict)  # student → nickname ("" for none)
    view: tuple[int, str] | None = None  # (the version it was published at, the rendered moment's text)


class MemoryStore(ClassStore):
    """Thread-safe: every method holds one lock for its whole read-and-change."""

    def __init__(
        self, ttl: float = s.CLASS_TTL, ended_ttl: float = s.ENDED_TTL, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl, self.ended_ttl, self._clock = ttl, ended_ttl, clock
        self._lock = threading.Lock()
        self._classes: dict[str, _Class] = {}
        self._wrong: dict[str, tuple[float, int]] = {}  # session (or "*" for all) → (window start, count)

    # --- helpers, called with the lock held
    def _live(self, code: str) -> _Class | None:
        c = self._classes.get(code)
        if c is not None and self._clock() - c.touched > (self.ended_ttl if c.ended else self.ttl):
            del self._classes[code]
            return None
        return c

    def _purge(self) -> None:
        for code in list(self._classes):
            self._live(code)
        now = self._clock()
        for who in [w for w, (t0, _) in self._wrong.items() if now - t0 > s.WRONG_CODE_WINDOW]:
            del self._wrong[who]

    def _instructor(self, code: str, key: str, open_only: bool = True) -> _Class:
        c = self._live(code)
        if c is None or (open_only and c.ended):
            raise NoSuchClass(code)
        if not s.key_matches(c.key_hash, key):
            raise Forbidden("not this class's instructor key")
        if not c.ended:
            c.touched = self._clock()
        return c

    def _open_question(self, c: _Class) -> dict[str, str] | None:
        return c.questions[-1] if c.questions else None

    # --- the instructor
    def create(self, moment: Mapping[str, str]) -> tuple[str, str]:
        moment = s.clean_moment(moment)
        key = s.new_key()
        with self._lock:
            self._purge()
            code = s.new_code()
            while code in self._classes:
                code = s.new_code()
            self._classes[code] = _Class(s.key_hash(key), moment, self._clock())
        return code, key

    def publish(self, code: str, key: str, moment: Mapping[str, str], view: str | None = None) -> int:
        moment, view = s.clean_moment(moment), s.clean_view(view)
        with self._lock:
            c = self._instructor(code, key)
            c.moment = moment
            c.version += 1
            c.view = None if view is None else (c.version, view)
            return c.version

    def new_question_id(self, code: str, key: str) -> str:
        with self._lock:
            c = self._instructor(code, key)
            c.opened += 1
            return str(c.opened)

    def open_question(
        self, code: str, key: str, question: Mapping[str, str], qid: str | None = None, view: str | None = None
    ) -> str:
        question, view = s.clean_question(question), s.clean_view(view)
        with self._lock:
            c = self._instructor(code, key)
            if qid is None:
                c.opened += 1
                qid = str(c.opened)
            elif not (re.fullmatch("[1-9][0-9]*", qid) and c.last_opened < int(qid) <= c.opened):
                raise NoSuchClass(f"question id {qid} was not reserved, or is used")
            last = self._open_question(c)
            if last is not None and last["revealed"] == "0":  # replaced before its reveal: forgotten
                c.questions.pop()
                c.answers.pop(last["id"], None)
            # A new id, also for a replacement: a student's page keyed to the old one must not show its answer
            # as given to the new question (nothing of it is counted).
            c.last_opened = int(qid)
            c.questions.append({**question, "id": qid, "revealed": "0"})
            c.answers[qid] = {}
            c.version += 1
            if view is not None:
                c.view = (c.version, view)
            return qid

    def distribution(self, code: str, key: str, qid: str) -> dict[str, int]:
        with self._lock:
            c = self._instructor(code, key, open_only=False)
            counts: dict[str, int] = {}
            for response in c.answers.get(qid, {}).values():
                counts[response] = counts.get(response, 0) + 1
            return counts

    def reveal(
        self,
        code: str,
        key: str,
        qid: str,
        correct: str,
        moment: Mapping[str, str] | None = None,
        view: str | None = None,
    ) -> QuestionResult:
        correct = s.clean_answer(correct)
        moment = None if moment is None else s.clean_moment(moment)
        view = s.clean_view(view)
        with self._lock:
            c = self._instructor(code, key)
            q = self._open_question(c)
            if q is None or q["id"] != qid:
                raise NoSuchClass(f"question {qid} is not open")
            if q["revealed"] == "1" and moment is None:
                return c.results[qid]
            c.version += 1
            if moment is not None:  # the step that revealed it, published with it (also when it was revealed)
                c.moment = moment
                c.view = None if view is None else (c.version, view)
            if q["revealed"] == "0":
                q.update(revealed="1", correct=correct)
                c.results[qid] = s.results_of(dict(q), correct, c.answers.get(qid, {}), c.students)
            return c.results[qid]

    def results(self, code: str, key: str) -> list[QuestionResult]:
        with self._lock:
            c = self._instructor(code, key, open_only=False)
            return [c.results[q["id"]] for q in c.questions if q["id"] in c.results]

    def end(self, code: str, key: str) -> None:
        with self._lock:
            c = self._instructor(code, key)
            c.ended = True
            c.version += 1
            c.view = None  # nobody follows an ended class: its view is not read again
            c.touched = self._clock()

    def is_instructor(self, code: str, key: str | None) -> bool:
        with self._lock:
            c = self._live(code)
            return c is not None and s.key_matches(c.key_hash, key)

    # --- everybody
    def version(self, code: str) -> int | None:
        with self._lock:
            c = self._live(code)
            return None if c is None else c.version

    def state(self, code: str) -> ClassState | None:
        with self._lock:
            c = self._live(code)
            if c is None:
                return None
            q = self._open_question(c)
            return ClassState(code, c.version, dict(c.moment), None if q is None else dict(q), c.ended)

    def view(self, code: str) -> tuple[int, str] | None:
        with self._lock:
            c = self._live(code)
            return None if c is None or c.ended else c.view

    def lookup(self, code: str, session: str) -> ClassState:
        with self._lock:
            self._purge()
            now = self._clock()
            for who, limit in ((session, s.WRONG_CODES_PER_SESSION), ("*", s.WRONG_CODES_ALL)):
                t0, n = self._wrong.get(who, (now, 0))
                if n >= limit:
                    raise WrongCodes(s.WRONG_CODE_WINDOW - (now - t0))
            normal: str | None
            try:
                normal = s.normalise_code(code)
            except ValueError:
                normal = None
            if normal is None or self._live(normal) is None:
                for who in (session, "*"):
                    t0, n = self._wrong.get(who, (now, 0))
                    self._wrong[who] = (t0, n + 1)
                raise NoSuchClass(normal)
        state = self.state(normal)
        if state is None:
            raise NoSuchClass(code)
        return state

    def join(self, code: str, student: str, nickname: str = "") -> None:
        with self._lock:
            c = self._live(code)
            if c is None or c.ended:
                raise NoSuchClass(code)
            c.students[student] = s.clean_nickname(nickname)

    def member(self, code: str, student: str) -> str | None:
        with self._lock:
            c = self._live(code)
            return None if c is None else c.students.get(student)

    def watch(self, code: str, student: str) -> int | None:
        with self._lock:
            c = self._live(code)
            return c.version if c is not None and student in c.students else None

    def answer(self, code: str, qid: str, student: str, response: str) -> bool:
        response = s.clean_answer(response)
        with self._lock:
            c = self._live(code)
            q = None if c is None else self._open_question(c)
            if c is None or c.ended or q is None or q["id"] != qid or q["revealed"] != "0":
                return False
            c.answers[qid][student] = response
            return True

    def my_answer(self, code: str, qid: str, student: str) -> str | None:
        with self._lock:
            c = self._live(code)
            return None if c is None else c.answers.get(qid, {}).get(student)

    def count(self, code: str, qid: str) -> int:
        with self._lock:
            c = self._live(code)
            return 0 if c is None else len(c.answers.get(qid, {}))
