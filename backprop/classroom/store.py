"""The class store's interface, its records and the rules both back ends share (codes, keys, limits)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from a projector
CODE_LENGTH = 6  # 31⁶ ≈ 8.9 × 10⁸ codes
CLASS_TTL = 3 * 3600.0  # seconds without instructor activity before a class ends by itself
ENDED_TTL = 3600.0  # an ended class stays readable this long: students learn it ended, the
# instructor can still read the results
NICKNAME_MAX = 24  # characters
ANSWER_MAX = 32  # characters of one answer ("negative", "3,2")
MOMENT_MAX = 4000  # characters of a moment's JSON (a link's query is far shorter)
VIEW_MAX = 4_000_000  # bytes (UTF-8) of a rendered view published with a moment; a larger one is not kept
WRONG_CODES_PER_SESSION = 5  # wrong join codes one browser session may try per window …
WRONG_CODES_ALL = 2000  # … and all sessions together (enumeration from many sessions); high enough
# that one student sending wrong codes cannot lock the class out of joining
WRONG_CODE_WINDOW = 60.0  # seconds


class StoreUnavailable(RuntimeError):
    """The shared store cannot be reached (Redis down or too slow); nothing was changed that we know of."""


class NoSuchClass(LookupError):
    """No class with this code: never started, ended long ago, or expired."""


class Forbidden(PermissionError):
    """The instructor key is missing or wrong."""


class WrongCodes(RuntimeError):
    """Too many wrong join codes: try again after `wait` seconds."""

    def __init__(self, wait: float):
        super().__init__(f"Too many wrong class codes. Try again in {max(1, round(wait))} s.")
        self.wait = wait


@dataclass(frozen=True, slots=True)
class ClassState:
    """What every participant reads: the version, the instructor's moment, the current question."""

    code: str
    version: int  # goes up by one on every change the instructor makes
    moment: dict[str, str]  # the step-through link's query parameters of the instructor's moment
    question: dict[str, str] | None = None  # the current question (with "id"; "revealed" "0" or "1"; after
    # the reveal also "correct"), or None before the first
    ended: bool = False


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """How the class did on one revealed question."""

    id: str
    question: dict[str, str]  # what the instructor opened it with (its label, layer, iteration …)
    correct: str
    counts: dict[str, int]  # answer → how many gave it
    named: dict[str, str] = field(default_factory=dict)  # nickname → answer, for students who gave one

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def right(self) -> int:
        return self.counts.get(self.correct, 0)


def normalise_code(text: str) -> str:
    """The join code in `text` (any case, spaces and dashes ignored); ValueError if it cannot be one."""
    code = re.sub(r"[\s\-]", "", str(text)[:40]).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ValueError(f"a class code is {CODE_LENGTH} letters and digits, like {example_code()}")
    return code


def example_code() -> str:
    return "K7QM4T"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_key() -> str:
    """The instructor's key: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def key_hash(key: str) -> str:
    """What the store keeps of the key: its SHA-256, so a dump of the store does not hand out keys."""
    return hashlib.sha256(str(key).encode("utf-8", "replace")).hexdigest()


def key_matches(stored_hash: str | None, key: str | None) -> bool:
    if not stored_hash or not key:
        return False
    return hmac.compare_digest(stored_hash, key_hash(key))


def clean_nickname(text: str | None) -> str:
    """A nickname as shown: printable characters only, spaces collapsed, at most NICKNAME_MAX characters."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = "".join(c for c in text if unicodedata.category(c)[0] not in "C")  # no control/format characters
    return " ".join(text.split())[:NICKNAME_MAX].strip()


def clean_answer(text: str) -> str:
    text = str(text)
    if not text or len(text) > ANSWER_MAX or not text.isprintable():
        raise ValueError(f"an answer is 1..{ANSWER_MAX} printable characters")
    return text


def clean_moment(moment: Mapping[str, str]) -> dict[str, str]:
    out = {str(k): str(v) for k, v in moment.items()}
    if sum(len(k) + len(v) + 6 for k, v in out.items()) > MOMENT_MAX:
        raise ValueError("the moment is too long to share")
    return out


def clean_view(view: str | None) -> str | None:
    """The view as stored: None for none or one over VIEW_MAX bytes (the class then follows without one)."""
    if view is None:
        return None
    if not isinstance(view, str):
        raise TypeError(f"a view is text (str), not {type(view).__name__}")
    if len(view) > VIEW_MAX:  # cheap first: a character is at least one byte
        return None
    try:
        size = len(view.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: no store could keep it as text
        return None
    return view if size <= VIEW_MAX else None


def clean_question(question: Mapping[str, str]) -> dict[str, str]:
    out = {str(k): str(v)[:200] for k, v in question.items() if k not in ("id", "revealed", "correct")}
    if len(out) > 20:
        raise ValueError("a question has at most 20 fields")
    return out


def results_of(
    question: dict[str, str], correct: str, answers: Mapping[str, str], nicknames: Mapping[str, str]
) -> QuestionResult:
    counts: dict[str, int] = {}
    for response in answers.values():
        counts[response] = counts.get(response, 0) + 1
    named = {nicknames[s]: r for s, r in answers.items() if nicknames.get(s)}
    return QuestionResult(question["id"], question, correct, counts, named)


class ClassStore(ABC):
    """Shared class state. Every method may raise StoreUnavailable; the instructor's methods raise Forbidden
    for a wrong key and NoSuchClass for a class that has ended or expired (reading methods return None)."""

    ttl: float = CLASS_TTL

    # the instructor
    @abstractmethod
    def create(self, moment: Mapping[str, str]) -> tuple[str, str]:
        """A new class at `moment`: (join code, instructor key)."""

    @abstractmethod
    def publish(self, code: str, key: str, moment: Mapping[str, str], view: str | None = None) -> int:
        """The instructor's new moment; the new version. `view` is that moment rendered once (opaque text: the
        JSON a following browser draws without a script run), stored with the moment in one step and tagged
        with the new version; None, or one longer than VIEW_MAX bytes, leaves the class without a view, so a
        view never outlives the moment it shows. Other changes (questions, the end) keep the view and its
        older tag."""

    @abstractmethod
    def new_question_id(self, code: str, key: str) -> str:
        """An id for the next question, reserved (the store gives it to no other question): for a view of the
        question built before it is opened (`open_question(qid=…, view=…)`)."""

    @abstractmethod
    def open_question(
        self, code: str, key: str, question: Mapping[str, str], qid: str | None = None, view: str | None = None
    ) -> str:
        """Open a question to the class (replacing an open one not yet revealed); its id: `qid` if given (from
        new_question_id, and newer than every question opened so far, else NoSuchClass), else a new one. With
        `view`, the class's view becomes it, tagged with the new version (the moment stays): the question drawn
        with the moment, in the same change; without, the view keeps its older tag."""

    @abstractmethod
    def distribution(self, code: str, key: str, qid: str) -> dict[str, int]:
        """Answer → count for question `qid`, so far."""

    @abstractmethod
    def reveal(
        self,
        code: str,
        key: str,
        qid: str,
        correct: str,
        moment: Mapping[str, str] | None = None,
        view: str | None = None,
    ) -> QuestionResult:
        """Close question `qid` to answers and record how the class did; answers after this are refused. With
        `moment`, the instructor's new moment (the step that revealed it) is published in the same change, one
        version, with `view` as `publish` takes it; without, the view keeps its older tag."""

    @abstractmethod
    def results(self, code: str, key: str) -> list[QuestionResult]:
        """Every revealed question, in the order they were opened."""

    @abstractmethod
    def end(self, code: str, key: str) -> None:
        """End the class: students stop following; results stay readable for ENDED_TTL."""

    @abstractmethod
    def is_instructor(self, code: str, key: str | None) -> bool:
        """Whether `key` is the instructor key of class `code` (False for an unknown class)."""

    # everybody
    @abstractmethod
    def version(self, code: str) -> int | None:
        """The class's version (cheap: what a following page polls); None if there is no such class."""

    @abstractmethod
    def state(self, code: str) -> ClassState | None:
        """The whole shared state; None if there is no such class."""

    @abstractmethod
    def view(self, code: str) -> tuple[int, str] | None:
        """(the version the current view was published at, its text); None if there is no such class, it has
        ended, or its last moment came without a view. The view is current if that version is the class's."""

    @abstractmethod
    def lookup(self, code: str, session: str) -> ClassState:
        """A join code typed or linked by browser session `session`: its state, or NoSuchClass (counted
        against the session) or WrongCodes (too many wrong codes lately; not looked up)."""

    @abstractmethod
    def join(self, code: str, student: str, nickname: str = "") -> None:
        """Register student `student` (a random id the student's session keeps) with an optional nickname."""

    @abstractmethod
    def member(self, code: str, student: str) -> str | None:
        """The nickname ("" for none) of student `student` if they joined class `code`, else None: a page
        reloaded with its student id rejoins as the same student (their answers stay theirs)."""

    @abstractmethod
    def watch(self, code: str, student: str) -> int | None:
        """The class's version for a student who joined it, else None (also for an unknown class): what a
        following browser polls over plain HTTP. Answering only for a joined student id, it tells nothing
        to someone guessing codes."""

    @abstractmethod
    def answer(self, code: str, qid: str, student: str, response: str) -> bool:
        """The student's answer to `qid`, replacing their earlier one; False if refused (revealed, not the
        open question, class ended)."""

    @abstractmethod
    def my_answer(self, code: str, qid: str, student: str) -> str | None:
        """The answer the student gave to `qid`, or None."""

    @abstractmethod
    def count(self, code: str, qid: str) -> int:
        """How many students have answered `qid`."""
