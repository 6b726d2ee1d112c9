"""The class mode's outbox (runtime/remote.js, `ClassQuizzes`) under node, against a fake
class server that stores each attempt id once, like the real one (`quizbook.server.attempts`).

What the Chromium test (test_class_browser.py) cannot reach cheaply: the storage lease two
tabs use where Web Locks are missing (http:// on a classroom network is not a secure
context), the order of waiting attempts, a session that ended (401), another student's
answers left in a shared browser, refusals for good, and the tries counted locally.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from quizbook.runtime import build

RUNNER = r"""
import { pathToFileURL } from "node:url";
const runtime = await import(pathToFileURL(process.argv[2]).href);
const { ClassQuizzes, RemoteGrader } = runtime;

/** A localStorage stand-in, shared by the "tabs" of one browser. */
function memoryStorage() {
  const data = new Map();
  return { get: (k) => data.has(k) ? data.get(k) : null,
           set: (k, v) => { data.set(k, v); return true; },
           remove: (k) => { data.delete(k); }, keys: () => Array.from(data.keys()) };
}

/** A class server: stores an attempt id once, answers a resend with the stored reply. */
function fakeServer(options = {}) {
  const server = { up: true, status: 200, me: "Ada", received: [], stored: new Map(), tries: 3,
                   ...options };
  server.fetch = async (url, init) => {
    if (!server.up) throw new TypeError("Failed to fetch");
    const json = (status, body) => ({ ok: status < 400, status, json: async () => body });
    if (url.endsWith("/api/me")) return json(200, { student: { name: server.me } });
    if (url.endsWith("/answers")) {
      return json(200, { attempts: server.stored.size,
        attempts_left: server.tries - server.stored.size, closed: false,
        policy: { tries: server.tries, marks_before_close: false, counts: "first",
                  late_counts: false },
        counted: null, last: null });
    }
    const body = JSON.parse(init.body);
    server.received.push(body.attempt_id);
    if (server.status !== 200) return json(server.status, { error: "refused " + server.status });
    if (!server.stored.has(body.attempt_id)) {
      const n = server.stored.size + 1;
      const right = body.responses.q1 === "b";
      const outcome = { points: right ? 1 : 0, max: 1, correct: right, answered: true, parts: {} };
      server.stored.set(body.attempt_id, {
        questions: { q1: { outcome, feedback: {}, explanation: null } }, score: outcome.points,
        max: 1, late: false, attempt: n, attempts_left: server.tries - n });
    }
    return json(200, server.stored.get(body.attempt_id));
  };
  return server;
}

const bundle = { id: "l1-x", version: "v1", questions: [] };
const tab = (server, storage) => new ClassQuizzes(
  new RemoteGrader("", { fetch: server.fetch, api: "http://class/api/" }), { storage, view: null });
const outbox = (storage) =>
  storage.keys().filter((k) => k.startsWith("quizbook:v1:outbox:")).sort();
const attempt = async (quizzes, answer, id) => {
  try { await quizzes.check(bundle, { q1: answer }, id); return "graded"; }
  catch (error) { return error.message; }
};
const heard = (quizzes) => {
  const said = [];
  quizzes.listen(bundle.id,
    (responses, graded, note) => said.push({ responses, graded: !!graded, note }));
  return said;
};

const out = {};

{ // Offline: kept with its id, then sent once by one of two tabs (the storage lease).
  const server = fakeServer({ up: false });
  const storage = memoryStorage();
  const one = tab(server, storage), two = tab(server, storage);
  const said = heard(one);
  const offline = await attempt(one, "b", "attempt-offline-1");
  const kept = outbox(storage);
  server.up = true;
  const rounds = await Promise.all([one.sendWaiting(true), two.sendWaiting(true)]);
  out.offline = { offline, kept, sent: rounds.map((r) => r.sent).sort(), received: server.received,
                  left: outbox(storage), said, again: (await one.sendWaiting(true)).sent };
}

{ // Order: what waits goes before a new Check; the server numbers them in that order.
  const server = fakeServer({ up: false });
  const storage = memoryStorage();
  const quizzes = tab(server, storage);
  const first = await attempt(quizzes, "a", "attempt-order-1");
  server.up = true;
  const second = await attempt(quizzes, "b", "attempt-order-2");
  out.order = { first, second, received: server.received,
                numbers: Array.from(server.stored.entries(), ([id, r]) => [id, r.attempt]) };
}

{ // A 401 keeps the answers; a 500 keeps them; a 409 gives them back to the form.
  const server = fakeServer({ status: 401 });
  const storage = memoryStorage();
  const quizzes = tab(server, storage);
  const said = heard(quizzes);
  const unjoined = await attempt(quizzes, "b", "attempt-401-1");
  const keptAfter401 = outbox(storage);
  server.status = 500;
  await quizzes.sendWaiting(true);
  const keptAfter500 = outbox(storage);
  server.status = 409;
  await quizzes.sendWaiting(true);
  out.refusals = { unjoined, keptAfter401, keptAfter500, left: outbox(storage), said };
}

{ // Another student's answers left in a shared browser are not sent under this one's name.
  const server = fakeServer({ up: false, me: "Ada" });
  const storage = memoryStorage();
  const ada = tab(server, storage);
  server.up = true;
  await ada.whoIsJoined();
  server.up = false;
  await attempt(ada, "b", "attempt-ada-1");
  server.up = true;
  server.me = "Bo";
  const bo = tab(server, storage);
  const restored = await bo.restore(bundle);
  const boRound = await bo.sendWaiting(true);
  server.me = "Ada";
  const adaAgain = tab(server, storage);
  const adaRound = await adaAgain.sendWaiting(true);
  out.shared = { boSent: boRound.sent, note: restored.note, adaSent: adaRound.sent,
                 received: server.received };
}

{ // Tries: with what the server said and what waits, a Check beyond them is not made.
  const server = fakeServer({ tries: 2 });
  const storage = memoryStorage();
  const quizzes = tab(server, storage);
  await quizzes.restore(bundle);
  const first = await attempt(quizzes, "a", "attempt-tries-1");
  server.up = false;
  const second = await attempt(quizzes, "b", "attempt-tries-2");
  const third = await attempt(quizzes, "b", "attempt-tries-3");
  out.tries = { first, second, third, received: server.received, kept: outbox(storage) };
}

process.stdout.write(JSON.stringify(out));
process.exit(0);
"""

QUEUED = ("The class server cannot be reached: your answers are still here, saved on this "
          "device, and will be sent by themselves when the connection is back")
NOT_JOINED = "You are not in the class any more in this browser (the session ended)"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the runtime", pytrace=False)
    folder = tmp_path_factory.mktemp("outbox")
    module = folder / "runtime.mjs"
    module.write_text(build.widget_module(class_mode=True), encoding="utf-8")
    runner = folder / "runner.mjs"
    runner.write_text(RUNNER, encoding="utf-8")
    proc = subprocess.run([node, str(runner), str(module)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def test_an_offline_check_waits_and_one_of_two_tabs_sends_it_once(
        outcomes: dict[str, Any]) -> None:
    offline = outcomes["offline"]
    assert offline["offline"].startswith(QUEUED)
    assert offline["kept"] == ["quizbook:v1:outbox:l1-x:attempt-offline-1"]
    assert offline["sent"] == [0, 1]  # the other tab found the lease taken
    assert offline["received"] == ["attempt-offline-1"]
    assert offline["left"] == [] and offline["again"] == 0
    assert offline["said"] == [{"responses": {"q1": "b"}, "graded": True, "note":
                                "Sent: the answers saved on this device reached the class "
                                "server."}]


def test_what_waits_is_sent_before_a_new_check(outcomes: dict[str, Any]) -> None:
    order = outcomes["order"]
    assert order["first"].startswith(QUEUED) and order["second"] == "graded"
    assert order["received"] == ["attempt-order-1", "attempt-order-2"]
    assert order["numbers"] == [["attempt-order-1", 1], ["attempt-order-2", 2]]


def test_a_lost_session_and_a_failing_server_keep_the_answers_a_refusal_returns_them(
        outcomes: dict[str, Any]) -> None:
    refusals = outcomes["refusals"]
    key = ["quizbook:v1:outbox:l1-x:attempt-401-1"]
    assert refusals["unjoined"].startswith(NOT_JOINED)
    assert refusals["keptAfter401"] == key and refusals["keptAfter500"] == key
    assert refusals["left"] == []
    assert refusals["said"] == [{"responses": {"q1": "b"}, "graded": False, "note":
                                 "The answers saved on this device were not taken, and are "
                                 "back in the form: The class server refused the answers "
                                 "(HTTP 409). refused 409"}]


def test_another_students_waiting_answers_stay_theirs(outcomes: dict[str, Any]) -> None:
    shared = outcomes["shared"]
    assert shared["boSent"] == 0
    assert "Answers another student checked in this browser wait here until they join again." \
        in shared["note"]
    assert shared["adaSent"] == 1 and shared["received"] == ["attempt-ada-1"]


def test_tries_count_what_waits(outcomes: dict[str, Any]) -> None:
    tries = outcomes["tries"]
    assert tries["first"] == "graded" and tries["second"].startswith(QUEUED)
    assert tries["third"] == ("No tries left: this quiz allows 2 checks, and with the answers "
                              "waiting on this device the class server will have them all.")
    assert tries["received"] == ["attempt-tries-1"]
    assert tries["kept"] == ["quizbook:v1:outbox:l1-x:attempt-tries-2"]
