"""The class store in Redis, for several server processes behind a load balancer.

One class is a few keys sharing the hash tag {CODE} (so they also sit together on a Redis Cluster):
- ``bpl:{CODE}``        hash: kh (SHA-256 of the instructor key), v (the version: HINCRBY on every change),
                        moment (JSON), status ("open" / "ended"), q (the current question's id, "" before the
                        first), qr ("1" once it is revealed), nq (question ids given out so far, reserved or
                        opened), qo (the id of the question opened last)
- ``bpl:{CODE}:q``      hash: question id → the question as JSON (with "revealed" and, after, "correct")
- ``bpl:{CODE}:a:QID``  hash: student → answer. HSET with the student as field: a student has one answer,
                        however often they send it; the count is HLEN
- ``bpl:{CODE}:s``      hash: student → nickname
- ``bpl:{CODE}:r``      hash: question id → its result as JSON, written at the reveal
- ``bpl:{CODE}:view``   hash: v (the version it was published at), text (the instructor's rendered moment);
                        written or deleted by the same script that writes the moment, so a view never pairs
                        with another moment; deleted at the end
Every change the instructor makes goes through a Lua script, which Redis runs atomically: it checks the key
and the class's status, makes the change, bumps the version and sets every key of the class to expire after
CLASS_TTL more seconds (PEXPIRE), so a class whose instructor has gone quiet disappears by itself. An answer
is a script too: the check "this question is open and not revealed" and the HSET cannot be split by a reveal.
Wrong join codes are counted with INCR on keys that expire with their window.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from . import store as s
from .store import ClassState, ClassStore, Forbidden, NoSuchClass, QuestionResult, StoreUnavailable, WrongCodes

TIMEOUT = 1.0  # seconds to connect or to wait for an answer: a following page must not hang on a dead Redis

_TOUCH = """
local function touch(P, ttl)
  for _, k in ipairs({P, P..':q', P..':s', P..':r', P..':view'}) do redis.call('PEXPIRE', k, ttl) end
  local q = redis.call('HGET', P, 'q')
  if q and q ~= '' then redis.call('PEXPIRE', P..':a:'..q, ttl) end
end
-- -1: no such (open) class; -2: wrong key
local function check(P, kh)
  local c = redis.call('HMGET', P, 'kh', 'status')
  if not c[1] then return -1 end
  if c[1] ~= kh then return -2 end
  if c[2] ~= 'open' then return -1 end
  return 0
end
"""

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'kh', ARGV[1], 'v', 1, 'moment', ARGV[3], 'status', 'open', 'q', '', 'qr', '0', 'nq', 0)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

_PUBLISH = (
    _TOUCH
    + """
local P = KEYS[1]
local err = check(P, ARGV[1]); if err ~= 0 then return err end
redis.call('HSET', P, 'moment', ARGV[3])
local v = redis.call('HINCRBY', P, 'v', 1)
if ARGV[4] then redis.call('HSET', P..':view', 'v', v, 'text', ARGV[4])  -- the moment rendered, tagged v
else redis.call('DEL', P..':view') end                                   -- none: no older one stays
touch(P, ARGV[2])
return v
"""
)

_RESERVE = (
    _TOUCH
    + """
local P = KEYS[1]
local err = check(P, ARGV[1]); if err ~= 0 then return err end
local qid = redis.call('HINCRBY', P, 'nq', 1)
touch(P, ARGV[2])
return tostring(qid)
"""
)

_OPEN = (
    _TOUCH
    + """
local P = KEYS[1]
local err = check(P, ARGV[1]); if err ~= 0 then return err end
local qid = ARGV[4]
if qid == '' then       -- a new id, also for a replacement: a student's page keyed to the old one must not
  qid = tostring(redis.call('HINCRBY', P, 'nq', 1))  -- show its answer as given to the new question
else                    -- a reserved id (new_question_id), newer than every question opened so far
  if not string.match(qid, '^[1-9]%d*$') then return -3 end  -- digits only, as the ids given out
  local n, last = tonumber(qid), tonumber(redis.call('HGET', P, 'qo') or '0')
  if n <= last or n > tonumber(redis.call('HGET', P, 'nq')) then return -3 end
end
local cur = redis.call('HMGET', P, 'q', 'qr')
if cur[1] ~= '' and cur[2] == '0' then          -- replaces an open question before its reveal: forgotten
  redis.call('DEL', P..':a:'..cur[1])
  redis.call('HDEL', P..':q', cur[1])
end
local q = cjson.decode(ARGV[3]); q['id'] = qid; q['revealed'] = '0'
redis.call('HSET', P..':q', qid, cjson.encode(q))
redis.call('HSET', P, 'q', qid, 'qr', '0', 'qo', qid)
local v = redis.call('HINCRBY', P, 'v', 1)
if ARGV[5] then redis.call('HSET', P..':view', 'v', v, 'text', ARGV[5]) end  -- the question drawn, tagged v
touch(P, ARGV[2])
return qid
"""
)

_REVEAL = (
    _TOUCH
    + """
local P = KEYS[1]
local err = check(P, ARGV[1]); if err ~= 0 then return {err} end
local cur = redis.call('HMGET', P, 'q', 'qr')
if cur[1] ~= ARGV[3] then return {-3} end
local function publish()  -- the step that revealed it, in the same change (also when it was revealed before)
  redis.call('HSET', P, 'moment', ARGV[5])
  local v = redis.call('HINCRBY', P, 'v', 1)
  if ARGV[6] then redis.call('HSET', P..':view', 'v', v, 'text', ARGV[6]) else redis.call('DEL', P..':view') end
end
if cur[2] == '1' then
  if ARGV[5] ~= '' then publish(); touch(P, ARGV[2]) end
  return {1}
end
redis.call('HSET', P, 'qr', '1')
local q = cjson.decode(redis.call('HGET', P..':q', ARGV[3])); q['revealed'] = '1'; q['correct'] = ARGV[4]
redis.call('HSET', P..':q', ARGV[3], cjson.encode(q))
if ARGV[5] ~= '' then publish() else redis.call('HINCRBY', P, 'v', 1) end
touch(P, ARGV[2])
return {0, cjson.encode(q), redis.call('HGETALL', P..':a:'..ARGV[3]), redis.call('HGETALL', P..':s')}
"""
)

_END = (
    _TOUCH
    + """
local P = KEYS[1]
local err = check(P, ARGV[1]); if err ~= 0 then return err end
redis.call('HSET', P, 'status', 'ended')
redis.call('HINCRBY', P, 'v', 1)
redis.call('DEL', P..':view')  -- nobody follows an ended class
touch(P, ARGV[2])
return 0
"""
)

_ANSWER = """
local P = KEYS[1]
local c = redis.call('HMGET', P, 'status', 'q', 'qr')
if c[1] ~= 'open' or c[2] ~= ARGV[1] or c[3] ~= '0' then return 0 end
local a = P..':a:'..ARGV[1]
redis.call('HSET', a, ARGV[2], ARGV[3])
redis.call('PEXPIRE', a, redis.call('PTTL', P))
return 1
"""

_JOIN = """
local P = KEYS[1]
if redis.call('HGET', P, 'status') ~= 'open' then return 0 end
redis.call('HSET', P..':s', ARGV[1], ARGV[2])
redis.call('PEXPIRE', P..':s', redis.call('PTTL', P))
return 1
"""

_STATE = """
local P = KEYS[1]
local c = redis.call('HMGET', P, 'v', 'moment', 'status', 'q')
if not c[1] then return false end
local q = false
if c[4] and c[4] ~= '' then q = redis.call('HGET', P..':q', c[4]) end
return {c[1], c[2], c[3], q}
"""


def _reachable(method):
    """Redis's connection errors and timeouts as StoreUnavailable: the page shows one notice for them."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as err:
            raise StoreUnavailable(f"the class store (Redis) cannot be reached: {err}") from None

    return call


class RedisStore(ClassStore):
    def __init__(self, url: str, ttl: float = s.CLASS_TTL, ended_ttl: float = s.ENDED_TTL, timeout: float = TIMEOUT):
        self.ttl, self.ended_ttl = ttl, ended_ttl
        # One retry, at once: a pooled connection that died with a restarted server is replaced and the
        # command sent again; a server that is really gone fails within about two timeouts.
        # Any: redis-py types every command's reply as `Awaitable[T] | T`, one stub for its sync and async
        # clients; this client is the sync one (decode_responses: str replies), so each reply is the plain T.
        self.r: Any = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )
        reg = self.r.register_script  # EVALSHA, loading the script again after a restart emptied the cache
        self._create, self._publish, self._open, self._reveal = reg(_CREATE), reg(_PUBLISH), reg(_OPEN), reg(_REVEAL)
        self._reserve = reg(_RESERVE)
        self._end, self._answer, self._join, self._state = reg(_END), reg(_ANSWER), reg(_JOIN), reg(_STATE)

    @staticmethod
    def _p(code: str) -> str:
        return f"bpl:{{{code}}}"

    def _ms(self, seconds: float) -> int:
        return max(1, int(seconds * 1000))

    @staticmethod
    def _raise(code: int | str, what: str):
        if code == -1:
            raise NoSuchClass(what)
        if code == -2:
            raise Forbidden("not this class's instructor key")
        if code == -3:
            raise NoSuchClass(f"question {what} is not open")

    # --- the instructor
    @_reachable
    def create(self, moment: Mapping[str, str]) -> tuple[str, str]:
        moment_json = json.dumps(s.clean_moment(moment))
        key = s.new_key()
        while True:  # a taken code (one in 10⁸ per running class) is drawn again
            code = s.new_code()
            if self._create(keys=[self._p(code)], args=[s.key_hash(key), self._ms(self.ttl), moment_json]):
                return code, key

    @_reachable
    def publish(self, code: str, key: str, moment: Mapping[str, str], view: str | None = None) -> int:
        moment_json, view = json.dumps(s.clean_moment(moment)), s.clean_view(view)
        args: list[str | int] = [s.key_hash(key), self._ms(self.ttl), moment_json]
        if view is not None:
            args.append(view)
        v = self._publish(keys=[self._p(code)], args=args)
        self._raise(v, code)
        return int(v)

    @_reachable
    def new_question_id(self, code: str, key: str) -> str:
        qid = self._reserve(keys=[self._p(code)], args=[s.key_hash(key), self._ms(self.ttl)])
        self._raise(qid, code)
        return str(qid)

    @_reachable
    def open_question(
        self, code: str, key: str, question: Mapping[str, str], qid: str | None = None, view: str | None = None
    ) -> str:
        q, view = json.dumps(s.clean_question(question)), s.clean_view(view)
        args: list[str | int] = [s.key_hash(key), self._ms(self.ttl), q, "" if qid is None else str(qid)[:20]]
        if view is not None:
            args.append(view)
        out = self._open(keys=[self._p(code)], args=args)
        if out == -3:
            raise NoSuchClass(f"question id {qid} was not reserved, or is used")
        self._raise(out, code)
        return str(out)

    @_reachable
    def distribution(self, code: str, key: str, qid: str) -> dict[str, int]:
        self._check(code, key)
        counts: dict[str, int] = {}
        for response in self.r.hvals(f"{self._p(code)}:a:{qid}"):
            counts[response] = counts.get(response, 0) + 1
        return counts

    @_reachable
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
        moment_json = "" if moment is None else json.dumps(s.clean_moment(moment))
        view = None if moment is None else s.clean_view(view)
        args: list[str | int] = [s.key_hash(key), self._ms(self.ttl), str(qid), correct, moment_json]
        if view is not None:
            args.append(view)
        out = self._reveal(keys=[self._p(code)], args=args)
        self._raise(out[0], str(qid))
        if out[0] == 1:  # revealed before: its result is stored
            return self._result(self.r.hget(f"{self._p(code)}:r", qid))
        question, answers, students = json.loads(out[1]), _pairs(out[2]), _pairs(out[3])
        result = s.results_of(question, correct, answers, students)
        self.r.hset(
            f"{self._p(code)}:r",
            qid,
            json.dumps(
                {"question": result.question, "correct": correct, "counts": result.counts, "named": result.named}
            ),
        )
        self.r.pexpire(f"{self._p(code)}:r", max(1, self.r.pttl(self._p(code))))
        return result

    @staticmethod
    def _result(text: str) -> QuestionResult:
        d = json.loads(text)
        return QuestionResult(d["question"]["id"], d["question"], d["correct"], d["counts"], d["named"])

    @_reachable
    def results(self, code: str, key: str) -> list[QuestionResult]:
        self._check(code, key)
        stored = self.r.hgetall(f"{self._p(code)}:r")
        return [self._result(stored[q]) for q in sorted(stored, key=int)]

    @_reachable
    def end(self, code: str, key: str) -> None:
        self._raise(self._end(keys=[self._p(code)], args=[s.key_hash(key), self._ms(self.ended_ttl)]), code)

    def _check(self, code: str, key: str) -> None:
        kh = self.r.hget(self._p(code), "kh")
        if kh is None:
            raise NoSuchClass(code)
        if not s.key_matches(kh, key):
            raise Forbidden("not this class's instructor key")

    @_reachable
    def is_instructor(self, code: str, key: str | None) -> bool:
        return s.key_matches(self.r.hget(self._p(code), "kh"), key)

    # --- everybody
    @_reachable
    def version(self, code: str) -> int | None:
        v = self.r.hget(self._p(code), "v")
        return None if v is None else int(v)

    @_reachable
    def state(self, code: str) -> ClassState | None:
        out = self._state(keys=[self._p(code)])
        if not out:
            return None
        v, moment, status, q = out
        return ClassState(code, int(v), json.loads(moment), json.loads(q) if q else None, status == "ended")

    @_reachable
    def view(self, code: str) -> tuple[int, str] | None:
        with self.r.pipeline(transaction=False) as p:  # one round trip; the view's HMGET is atomic by itself
            status, (v, text) = p.hget(self._p(code), "status").hmget(f"{self._p(code)}:view", "v", "text").execute()
        return (int(v), text) if status == "open" and v is not None and text is not None else None

    @_reachable
    def lookup(self, code: str, session: str) -> ClassState:
        mine, everyone = f"bpl:wrong:{session[:64]}", "bpl:wrong:*"
        counts = self.r.mget(mine, everyone)
        for n, limit, k in zip(counts, (s.WRONG_CODES_PER_SESSION, s.WRONG_CODES_ALL), (mine, everyone), strict=True):
            if n is not None and int(n) >= limit:
                raise WrongCodes(max(0.0, self.r.pttl(k) / 1000))
        try:
            code = s.normalise_code(code)
            state = self.state(code)
        except ValueError:
            state = None
        if state is None:
            window = self._ms(s.WRONG_CODE_WINDOW)
            with self.r.pipeline() as p:  # MULTI/EXEC: count and start the window's expiry together
                p.incr(mine).pexpire(mine, window, nx=True).incr(everyone).pexpire(everyone, window, nx=True)
                p.execute()
            raise NoSuchClass(code)
        return state

    @_reachable
    def join(self, code: str, student: str, nickname: str = "") -> None:
        if not self._join(keys=[self._p(code)], args=[str(student)[:64], s.clean_nickname(nickname)]):
            raise NoSuchClass(code)

    @_reachable
    def member(self, code: str, student: str) -> str | None:
        return self.r.hget(f"{self._p(code)}:s", str(student)[:64])

    @_reachable
    def watch(self, code: str, student: str) -> int | None:
        with self.r.pipeline(transaction=False) as p:  # one round trip; two reads, no need to be atomic
            joined, v = p.hexists(f"{self._p(code)}:s", str(student)[:64]).hget(self._p(code), "v").execute()
        return int(v) if joined and v is not None else None

    @_reachable
    def answer(self, code: str, qid: str, student: str, response: str) -> bool:
        response = s.clean_answer(response)
        return bool(self._answer(keys=[self._p(code)], args=[str(qid), str(student)[:64], response]))

    @_reachable
    def my_answer(self, code: str, qid: str, student: str) -> str | None:
        return self.r.hget(f"{self._p(code)}:a:{qid}", str(student)[:64])

    @_reachable
    def count(self, code: str, qid: str) -> int:
        return int(self.r.hlen(f"{self._p(code)}:a:{qid}"))


def _pairs(flat: list) -> dict[str, str]:
    """HGETALL's reply inside a Lua script's answer: a flat list field, value, field, value …"""
    return dict(zip(flat[::2], flat[1::2], strict=True))
