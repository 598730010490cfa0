"""Class mode's shared state (backprop.classroom), every test against both back ends: this process's memory
and a real redis-server that the fixture starts on a free loopback port (Debian: apt-get install
redis-server; skipped without it locally, a failure under CI). Expiry runs on a fake clock in memory and on
Redis's own clock with a short TTL."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from browser_helpers import in_ci

from backprop import classroom
from backprop.classroom import CODE_ALPHABET, CODE_LENGTH, Forbidden, NoSuchClass, StoreUnavailable, WrongCodes
from backprop.classroom import store as store_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))
from run_replicas import RedisServer, redis_binary  # noqa: E402

MOMENT = {"in": "2", "h": "2", "out": "2", "it": "1", "step": "0", "w": "1,1,1"}
VIEW = '{"progress": "Step 3 of 14", "figures": [{"data": [{"z": [[0.5, -1e-3]]}]}], "tex": "\\\\delta^2_1 = −0.031"}'


@pytest.fixture(scope="module")
def redis_server():
    if redis_binary() is None:
        if in_ci():
            pytest.fail("redis-server is missing under CI (.ci/run installs it)", pytrace=False)
        pytest.skip("redis-server not installed (Debian: apt-get install redis-server)")
    server = RedisServer()
    try:
        yield server
    finally:
        server.remove()


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def make(request):
    """make(ttl=…, ended_ttl=…) → (store, wait): wait(seconds) lets that much time pass for the store."""
    if request.param == "memory":
        clock = FakeClock()

        def make_memory(**options):
            def wait(seconds):
                clock.now += seconds

            return classroom.MemoryStore(clock=clock, **options), wait

        return make_memory
    server = request.getfixturevalue("redis_server")
    if not server.ping():
        server.start()  # a test that stopped it failed before starting it again

    def make_redis(**options):
        store = classroom.open_store(server.url, **options)
        store.r.flushdb()
        return store, time.sleep

    return make_redis


@pytest.fixture
def store(make):
    return make()[0]


def test_a_class_has_a_short_code_a_secret_key_and_the_instructors_moment(store):
    code, key = store.create(MOMENT)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert len(key) >= 20 and store.is_instructor(code, key)
    assert not store.is_instructor(code, key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert not store.is_instructor(code, "") and not store.is_instructor(code, None)
    state = store.state(code)
    assert (state.code, state.version, state.moment, state.question, state.ended) == (code, 1, MOMENT, None, False)
    assert key not in repr(state), "what students read must not carry the instructor key"
    other, other_key = store.create(MOMENT)
    assert other != code and other_key != key and not store.is_instructor(other, key)


def test_publishing_a_moment_bumps_the_version_and_needs_the_key(store):
    code, key = store.create(MOMENT)
    moved = {**MOMENT, "step": "3"}
    assert store.publish(code, key, moved) == 2 == store.version(code)
    assert store.state(code).moment == moved
    with pytest.raises(Forbidden):
        store.publish(code, "not-the-key", {**MOMENT, "step": "5"})
    with pytest.raises(Forbidden):
        store.open_question(code, "", {"l": "2"})
    with pytest.raises(Forbidden):
        store.end(code, "x")
    assert store.state(code).moment == moved and store.version(code) == 2  # nothing changed
    with pytest.raises(NoSuchClass):
        store.publish("ZZZZZZ", key, MOMENT)
    assert store.version("ZZZZZZ") is None and store.state("ZZZZZZ") is None


def test_join_answer_change_count_distribution_reveal(store):
    code, key = store.create(MOMENT)
    for student, nick in (("s1", "Ada"), ("s2", ""), ("s3", "Bo")):
        store.join(code, student, nick)
    qid = store.open_question(code, key, {"l": "2", "kind": "sign", "label": "sign of δ²₁"})
    state = store.state(code)
    assert state.question == {"l": "2", "kind": "sign", "label": "sign of δ²₁", "id": qid, "revealed": "0"}
    assert store.count(code, qid) == 0
    assert store.answer(code, qid, "s1", "positive") and store.answer(code, qid, "s2", "negative")
    assert store.answer(code, qid, "s3", "positive")
    assert store.answer(code, qid, "s3", "negative")  # changed before the reveal: one answer, the last
    assert store.answer(code, qid, "s1", "positive")  # clicked twice: still one
    assert store.count(code, qid) == 3
    assert store.distribution(code, key, qid) == {"positive": 1, "negative": 2}
    assert store.my_answer(code, qid, "s3") == "negative" and store.my_answer(code, qid, "nobody") is None
    with pytest.raises(Forbidden):
        store.distribution(code, "wrong", qid)
    assert not store.answer(code, "99", "s1", "positive"), "an answer to a question not open is refused"
    v = store.version(code)
    result = store.reveal(code, key, qid, "negative")
    assert store.version(code) == v + 1
    assert (result.counts, result.correct, result.answered, result.right) == (
        {"positive": 1, "negative": 2},
        "negative",
        3,
        2,
    )
    assert result.named == {"Ada": "positive", "Bo": "negative"}, "names only of students who gave one"
    assert store.state(code).question["revealed"] == "1" and store.state(code).question["correct"] == "negative"
    assert not store.answer(code, qid, "s1", "negative"), "answers after the reveal are refused"
    assert not store.answer(code, qid, "s4", "negative")
    assert store.count(code, qid) == 3 and store.my_answer(code, qid, "s1") == "positive"
    assert store.reveal(code, key, qid, "negative").counts == result.counts  # twice: the same result
    q2 = store.open_question(code, key, {"l": "1", "kind": "largest"})
    assert q2 != qid and store.count(code, q2) == 0
    assert store.answer(code, q2, "s2", "1,0")
    store.reveal(code, key, q2, "0,1")
    results = store.results(code, key)
    assert [r.id for r in results] == [qid, q2]
    assert [(r.answered, r.right) for r in results] == [(3, 2), (1, 0)]
    with pytest.raises(Forbidden):
        store.results(code, "wrong")


def test_a_joined_student_is_known_by_id_and_watches_the_version(store):
    code, key = store.create(MOMENT)
    store.join(code, "s1", "Ada")
    store.join(code, "s2", "")
    assert (store.member(code, "s1"), store.member(code, "s2"), store.member(code, "s3")) == ("Ada", "", None)
    assert store.member("ZZZZZZ", "s1") is None
    v = store.version(code)
    assert store.watch(code, "s1") == v and store.watch(code, "s2") == v
    # nothing for a student id that never joined, nor for an unknown code: no oracle for guessing codes
    assert store.watch(code, "s3") is None and store.watch("ZZZZZZ", "s1") is None
    store.publish(code, key, {**MOMENT, "step": "3"})
    assert store.watch(code, "s1") == v + 1
    store.end(code, key)  # an ended class still answers: the page learns of the end by the version's change
    assert store.watch(code, "s1") == v + 2 and store.state(code).ended


def test_a_question_replaced_before_its_reveal_forgets_its_answers(store):
    code, key = store.create(MOMENT)
    q1 = store.open_question(code, key, {"l": "2"})
    assert store.answer(code, q1, "s1", "positive")
    q2 = store.open_question(code, key, {"l": "1"})
    assert store.state(code).question["l"] == "1" and store.count(code, q2) == 0
    # A new id: a student's page still showing the first question must not find its answer under the new one
    # ("Your answer: positive" while nothing of it is counted), and an answer to the old one is refused.
    assert q2 != q1 and store.state(code).question["id"] == q2
    assert store.my_answer(code, q2, "s1") is None and store.my_answer(code, q1, "s1") is None
    assert not store.answer(code, q1, "s1", "negative") and store.count(code, q2) == 0
    assert store.answer(code, q2, "s1", "zero") and store.count(code, q2) == 1
    store.reveal(code, key, q2, "zero")
    [result] = store.results(code, key)
    assert result.question["l"] == "1" and result.counts == {"zero": 1}
    q3 = store.open_question(code, key, {"l": "2"})  # after a reveal, the next question: another new id
    assert q3 not in (q1, q2) and store.count(code, q3) == 0


def test_concurrent_answers_are_each_counted_once_and_none_after_the_reveal(store):
    """40 students in 40 threads each send 15 answers (changing their minds) while the instructor reveals:
    the result holds exactly each student's last answer accepted before the reveal."""
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2"})
    words = ("positive", "negative", "zero")
    accepted: dict[str, str] = {}
    lock = threading.Lock()
    go = threading.Barrier(41)

    def student(i: int):
        me = f"student-{i}"
        go.wait()
        for n in range(15):
            word = words[(i + n) % 3]
            if store.answer(code, qid, me, word):
                with lock:
                    accepted[me] = word
            time.sleep(0.001)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    go.wait()
    time.sleep(0.02)
    result = store.reveal(code, key, qid, "zero")
    for t in threads:
        t.join()
    expected: dict[str, int] = {}
    for word in accepted.values():
        expected[word] = expected.get(word, 0) + 1
    assert result.counts == expected and result.answered == len(accepted) == store.count(code, qid)
    assert accepted, "some answers must have come before the reveal"
    # and with no reveal racing: every one of 40 students counted once
    q2 = store.open_question(code, key, {"l": "1"})
    threads = [
        threading.Thread(target=lambda i=i: [store.answer(code, q2, f"s{i}", w) for w in words]) for i in range(40)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count(code, q2) == 40 and store.distribution(code, key, q2) == {"zero": 40}


def test_a_class_without_instructor_activity_expires(make):
    store, wait = make(ttl=0.6, ended_ttl=0.3)
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2"})
    wait(0.4)
    assert store.answer(code, qid, "s1", "positive")  # a student's answer does not keep it alive …
    store.join(code, "s2", "x")
    assert store.version(code) is not None
    store.publish(code, key, MOMENT)  # … the instructor's actions do
    wait(0.4)
    assert store.state(code) is not None and store.count(code, qid) == 1
    wait(0.35)
    assert store.state(code) is None and store.version(code) is None
    with pytest.raises(NoSuchClass):
        store.publish(code, key, MOMENT)
    assert not store.answer(code, qid, "s1", "negative")
    assert not store.is_instructor(code, key)


def test_ending_a_class(make):
    store, wait = make(ended_ttl=0.3)
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2"})
    store.answer(code, qid, "s1", "positive")
    store.reveal(code, key, qid, "positive")
    q2 = store.open_question(code, key, {"l": "1"})
    v = store.version(code)
    store.end(code, key)
    state = store.state(code)
    assert state.ended and state.version == v + 1 and state.moment == MOMENT
    assert not store.answer(code, q2, "s1", "positive")
    with pytest.raises(NoSuchClass):
        store.publish(code, key, MOMENT)
    with pytest.raises(NoSuchClass):
        store.join(code, "s9")
    assert [r.right for r in store.results(code, key)] == [1], "results stay readable after the end"
    wait(0.4)
    assert store.state(code) is None


def test_wrong_codes_are_limited_per_session(store):
    code, _ = store.create(MOMENT)
    assert store.lookup(code.lower()[:3] + "-" + code[3:], "a").code == code  # any case, a dash is ignored
    for wrong in ("AAAAAA", "BBBBBB", "not a code", "", "ZZZZZ2"):
        with pytest.raises(NoSuchClass):
            store.lookup(wrong, "a")
    with pytest.raises(WrongCodes) as err:
        store.lookup(code, "a")  # locked out: even the right code is not looked up
    assert 0 < err.value.wait <= 60 and "Try again in" in str(err.value)
    assert store.lookup(code, "b").code == code  # another session is not


def test_the_wrong_code_limit_of_all_sessions_together(store, monkeypatch):
    monkeypatch.setattr(store_module, "WRONG_CODES_ALL", 8)
    code, _ = store.create(MOMENT)
    for i in range(8):
        with pytest.raises(NoSuchClass):
            store.lookup("AAAAAA", f"session-{i}")
    with pytest.raises(WrongCodes):
        store.lookup(code, "a-fresh-session")


def test_bad_input_is_refused_with_a_message(store):
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2"})
    with pytest.raises(ValueError, match="printable"):
        store.answer(code, qid, "s1", "x" * 100)
    with pytest.raises(ValueError, match="printable"):
        store.answer(code, qid, "s1", "")
    with pytest.raises(ValueError, match="too long"):
        store.publish(code, key, {"x": "1" * 5000})
    store.join(code, "s1", "  <b>Ada</b>\u202e\x00 Lovelace and a very long name indeed  ")
    assert store.answer(code, qid, "s1", "zero")
    named = store.reveal(code, key, qid, "zero").named
    assert named == {"<b>Ada</b> Lovelace and": "zero"}  # no control characters, at most 24 characters
    assert store.state(code).moment == MOMENT


def test_codes_and_nicknames():
    assert classroom.normalise_code(" k7q-m4t ") == "K7QM4T"
    for bad in ("K7QM4", "K7QM4TT", "K0QM4T", "K7QM4I", "<script>"):
        with pytest.raises(ValueError, match="6 letters and digits"):
            classroom.normalise_code(bad)
    assert classroom.clean_nickname(None) == "" and len(classroom.clean_nickname("é" * 100)) == 24
    with pytest.raises(ValueError, match="redis://"):
        classroom.open_store("http://127.0.0.1:6379")
    assert isinstance(classroom.open_store(None), classroom.MemoryStore)


def test_redis_going_away_and_coming_back(redis_server):
    """Stopped: every call raises StoreUnavailable, within about two timeouts. Started again (its data
    kept on disk): the same class, and the pooled connections recover by themselves."""
    store = classroom.open_store(redis_server.url, timeout=0.5)
    store.r.flushdb()
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2"})
    assert store.answer(code, qid, "s1", "positive")
    store.publish(code, key, MOMENT, VIEW)
    redis_server.stop()
    try:
        for call in (
            lambda: store.version(code),
            lambda: store.view(code),
            lambda: store.state(code),
            lambda: store.answer(code, qid, "s2", "zero"),
            lambda: store.publish(code, key, MOMENT),
            lambda: store.create(MOMENT),
            lambda: store.lookup(code, "a"),
        ):
            t0 = time.monotonic()
            with pytest.raises(StoreUnavailable, match="cannot be reached"):
                call()
            assert time.monotonic() - t0 < 3
    finally:
        redis_server.start()
    assert store.version(code) == 3 and store.count(code, qid) == 1 and store.view(code) == (3, VIEW)
    assert store.answer(code, qid, "s2", "zero") and store.publish(code, key, MOMENT) == 4
    assert store.reveal(code, key, qid, "zero").counts == {"positive": 1, "zero": 1}


def test_a_redis_that_hangs_times_out(redis_server):
    """A server that accepts nothing more (paused with SIGSTOP): calls fail after the timeout, not never."""
    store = classroom.open_store(redis_server.url, timeout=0.3)
    store.r.flushdb()
    code, key = store.create(MOMENT)
    os.kill(redis_server.process.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreUnavailable):
            store.version(code)
        assert time.monotonic() - t0 < 2
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    assert store.version(code) == 1


def test_a_view_is_published_with_its_moment_and_tagged_with_that_version(store):
    code, key = store.create(MOMENT)
    assert store.view(code) is None, "a new class has no view"
    v = store.publish(code, key, {**MOMENT, "step": "3"}, VIEW)
    assert store.view(code) == (v, VIEW) and store.version(code) == v
    assert store.state(code).moment == {**MOMENT, "step": "3"}
    v2 = store.publish(code, key, {**MOMENT, "step": "4"}, VIEW.replace("3 of", "4 of"))
    assert v2 == v + 1 and store.view(code) == (v2, VIEW.replace("3 of", "4 of"))
    # a moment without a view: the older view must not pair with the newer moment
    v3 = store.publish(code, key, {**MOMENT, "step": "5"})
    assert store.view(code) is None and store.state(code).moment["step"] == "5"
    assert store.publish(code, key, MOMENT, "") == v3 + 1 and store.view(code) == (v3 + 1, ""), "opaque text"
    with pytest.raises(Forbidden):
        store.publish(code, "not-the-key", MOMENT, VIEW)
    assert store.view(code) == (v3 + 1, ""), "a refused publish changes no view"
    assert store.view("ZZZZZZ") is None


def test_other_changes_keep_the_view_with_its_older_tag(store):
    code, key = store.create(MOMENT)
    v = store.publish(code, key, MOMENT, VIEW)
    qid = store.open_question(code, key, {"l": "2"})
    store.answer(code, qid, "s1", "positive")
    store.reveal(code, key, qid, "positive")
    assert store.version(code) == v + 2 and store.view(code) == (v, VIEW)
    store.end(code, key)
    assert store.version(code) == v + 3 and store.view(code) is None, "an ended class has no view to follow"


def test_a_view_over_the_limit_is_not_kept(store):
    code, key = store.create(MOMENT)
    store.publish(code, key, MOMENT, VIEW)
    at_limit = '{"x": "' + "é" * ((store_module.VIEW_MAX - 9) // 2) + '"}'  # 2 bytes a character in UTF-8
    assert len(at_limit.encode()) <= store_module.VIEW_MAX < 2 * len(at_limit)
    v = store.publish(code, key, MOMENT, at_limit)
    assert store.view(code) == (v, at_limit)
    over = at_limit[:-2] + 'éé"}'  # 4 bytes more: over the limit by bytes, not by characters
    assert len(over) <= store_module.VIEW_MAX < len(over.encode())
    v = store.publish(code, key, {**MOMENT, "step": "9"}, over)  # no error: the moment is shared without a view
    assert store.view(code) is None and store.version(code) == v and store.state(code).moment["step"] == "9"
    v = store.publish(code, key, MOMENT, VIEW)
    assert store.publish(code, key, MOMENT, "\ud800") == v + 1 and store.view(code) is None, "not UTF-8: not kept"
    with pytest.raises(TypeError, match="str"):
        store.publish(code, key, MOMENT, b"{}")  # type: ignore[arg-type]
    assert store.version(code) == v + 1


def test_the_view_expires_with_its_class(make):
    store, wait = make(ttl=0.6)
    code, key = store.create(MOMENT)
    v = store.publish(code, key, MOMENT, VIEW)
    if hasattr(store, "r"):  # Redis: the view's key carries the class's expiry
        assert 0 < store.r.pttl(f"bpl:{{{code}}}:view") <= 600
    wait(0.4)
    store.open_question(code, key, {"l": "2"})  # instructor activity keeps the class and its view alive
    wait(0.4)
    assert store.view(code) == (v, VIEW)
    wait(0.35)
    assert store.view(code) is None and store.version(code) is None
    if hasattr(store, "r"):
        assert store.r.exists(f"bpl:{{{code}}}:view") == 0, "nothing of the class is left in Redis"


def test_a_question_opened_with_its_view_under_a_reserved_id(store):
    """The instructor's view of a question names the question's id, so the id is reserved before the view is
    built; the question and its view are then one change (one version), as a moment and its view are."""
    code, key = store.create(MOMENT)
    v = store.publish(code, key, MOMENT, VIEW)
    qid = store.new_question_id(code, key)
    assert store.version(code) == v, "reserving an id changes nothing the class sees"
    assert store.state(code).question is None
    asked = VIEW.replace("}", ', "question": "' + qid + '"}')
    assert store.open_question(code, key, {"l": "2", "kind": "sign"}, qid=qid, view=asked) == qid
    assert store.version(code) == v + 1 and store.view(code) == (v + 1, asked)
    assert store.state(code).question == {"l": "2", "kind": "sign", "id": qid, "revealed": "0"}
    assert store.state(code).moment == MOMENT, "the moment stays"
    assert store.answer(code, qid, "s1", "negative")
    ahead = str(int(qid) + 1)
    for bad in (
        qid,
        ahead,
        "0",
        "x",
        "1.5",
        "-1",
        "",
        "2e0",
        f"0{ahead}",
        f" {ahead}",
        "²",
    ):  # used, not reserved, not an id
        with pytest.raises(NoSuchClass, match="reserved"):
            store.open_question(code, key, {"l": "1"}, qid=bad or " ", view=VIEW)
    assert store.version(code) == v + 1 and store.count(code, qid) == 1, "a refused id changes nothing"
    with pytest.raises(Forbidden):
        store.new_question_id(code, "not-the-key")
    # reserved ids are handed out in order, whatever is opened meanwhile; an older reserved id can't be opened
    older, newer = store.new_question_id(code, key), store.new_question_id(code, key)
    assert int(qid) < int(older) < int(newer)
    for form in (f"0{newer}", f"{newer}.0", f"{newer}e0", f" {newer}", f"+{newer}"):  # the same number, not its id
        with pytest.raises(NoSuchClass, match="reserved"):
            store.open_question(code, key, {"l": "1"}, qid=form)
    assert store.open_question(code, key, {"l": "1"}, qid=newer) == newer
    assert store.view(code) == (v + 1, asked) and store.version(code) == v + 2, "no view given: the older tag"
    with pytest.raises(NoSuchClass, match="reserved"):
        store.open_question(code, key, {"l": "1"}, qid=older)
    assert int(store.open_question(code, key, {"l": "1"})) > int(newer), "an id of its own without one given"


def test_a_reveal_publishes_the_step_that_revealed_it_in_the_same_change(store):
    code, key = store.create(MOMENT)
    qid = store.open_question(code, key, {"l": "2", "kind": "sign"})
    store.join(code, "s1", "Ada")
    store.answer(code, qid, "s1", "negative")
    v = store.version(code)
    stepped = {**MOMENT, "step": "5"}
    shown = VIEW.replace("3 of", "5 of")
    result = store.reveal(code, key, qid, "negative", moment=stepped, view=shown)
    assert (result.right, result.answered, result.named) == (1, 1, {"Ada": "negative"})
    assert store.version(code) == v + 1, "one change: the reveal and the moment"
    state = store.state(code)
    assert state.moment == stepped and state.question["revealed"] == "1" and state.question["correct"] == "negative"
    assert store.view(code) == (v + 1, shown)
    assert not store.answer(code, qid, "s1", "positive"), "answers after the reveal are refused"
    # revealed before (one click delivered twice): the moment is still published, the result is the same
    again = store.reveal(code, key, qid, "negative", moment={**MOMENT, "step": "6"})
    assert again.counts == result.counts and store.version(code) == v + 2
    assert store.state(code).moment["step"] == "6" and store.view(code) is None, "no view: none older pairs with it"
    assert store.results(code, key)[0].counts == {"negative": 1}
    # without a moment, as before: the view keeps its older tag, and a second reveal changes nothing
    v = store.publish(code, key, MOMENT, VIEW)
    q2 = store.open_question(code, key, {"l": "1"})
    store.reveal(code, key, q2, "positive")
    store.reveal(code, key, q2, "positive")
    assert store.version(code) == v + 2 and store.view(code) == (v, VIEW)
