"""Results and framing: PULL n / DISCARD n with ``has_more``, several open results of one
transaction by qid, PULL_ALL / DISCARD_ALL, RESET while streaming, NOOP chunks, pipelines and a
request larger than a chunk. Each check runs only in the versions whose features it needs
(``asyncbolt._generated.versions.has``)."""

from __future__ import annotations

from asyncbolt._generated.messages import Begin, Commit, Discard, DiscardAll, Goodbye, Pull, Reset
from asyncbolt.core.framing import MAX_CHUNK_SIZE, chunk_message
from asyncbolt.tools.conformance.checking import Checker, Reply, fail, skip
from asyncbolt.tools.conformance.report import Check

__all__ = ["streaming_checks", "framing_checks", "LARGE_REQUEST"]

#: Bytes of padding in the large-request check: many chunks, far below any sane limit.
LARGE_REQUEST = 1 << 20
NOOP = b"\x00\x00"
#: Rows of the result a RESET cuts short.
LONG_RESULT = 100_000


def _has_more(ck: Checker, answer: Reply, want: bool, what: str) -> None:
    value = answer.metadata.get("has_more", False)
    if type(value) is not bool:
        fail(f"{what}: has_more should be a Boolean, got {answer}")
    if value != want:
        fail(f"{what}: SUCCESS should say has_more {'true' if want else 'false (or nothing)'}, got {answer}")


async def rows(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run, pull = await ck.ask(probe, ck.run_rows(3), ck.pull_all())
    if run.kind != "SUCCESS" or pull.kind != "SUCCESS":
        fail(f"RUN, {'PULL' if ck.has('pull_n') else 'PULL_ALL'} should be answered SUCCESS; got {run}; {pull}")
    fields = run.metadata.get("fields")
    if not (isinstance(fields, list) and len(fields) == 1):
        fail(f"RUN's SUCCESS should name the result's one field, got {run}")
    ck.check_rows(pull.rows, 1, 3, "the rows query with n=3")
    if ck.has("pull_n"):
        _has_more(ck, pull, False, "the last PULL")
    return f"fields {fields}"


async def pull_n(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    await ck.expect(probe, ck.run_rows(5), "SUCCESS")
    got = []
    for batch, (first, last, more) in enumerate(((1, 2, True), (3, 4, True), (5, 5, False))):
        pull = await ck.expect(probe, Pull({"n": 2}), "SUCCESS", f"PULL {{n: 2}} #{batch + 1}: ")
        ck.check_rows(pull.rows, first, last, f"PULL {{n: 2}} #{batch + 1}")
        _has_more(ck, pull, more, f"PULL {{n: 2}} #{batch + 1} of 5 rows")
        got.append(len(pull.rows))
    return f"batches of {got}"


async def discard_n(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    await ck.expect(probe, ck.run_rows(5), "SUCCESS")
    pull = await ck.expect(probe, Pull({"n": 2}), "SUCCESS")
    ck.check_rows(pull.rows, 1, 2, "PULL {n: 2}")
    discard = await ck.expect(probe, Discard({"n": 1}), "SUCCESS")
    if discard.rows:
        fail(f"DISCARD should stream no records, got {discard}")
    _has_more(ck, discard, True, "DISCARD {n: 1} of the 3 rows left")
    discard = await ck.expect(probe, Discard({"n": -1}), "SUCCESS")
    _has_more(ck, discard, False, "DISCARD {n: -1}")
    run, pull = await ck.ask(probe, ck.run_rows(1), ck.pull_all())
    if run.kind != "SUCCESS":
        fail(f"after the result was discarded the connection should be READY: RUN got {run}")
    ck.check_rows(pull.rows, 1, 1, "the next RUN")
    return ""


async def qids(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    await ck.expect(probe, Begin({}), "SUCCESS")
    first = await ck.expect(probe, ck.run_rows(3), "SUCCESS", "the first RUN: ")
    second = await ck.expect(probe, ck.run_rows(2), "SUCCESS", "the second RUN (one result open): ")
    q1, q2 = first.metadata.get("qid"), second.metadata.get("qid")
    if type(q1) is not int or type(q2) is not int or q1 == q2:
        fail(f"each RUN in a transaction should name its result by a distinct Integer qid; got {first}; {second}")
    pull = await ck.expect(probe, Pull({"n": 1, "qid": q1}), "SUCCESS", f"PULL of qid {q1}: ")
    ck.check_rows(pull.rows, 1, 1, f"PULL {{n: 1, qid: {q1}}}")
    _has_more(ck, pull, True, f"PULL {{n: 1, qid: {q1}}}")
    pull = await ck.expect(probe, Pull({"n": -1}), "SUCCESS", "PULL without qid (the newest result): ")
    ck.check_rows(pull.rows, 1, 2, "PULL {n: -1} (no qid: the newest result)")
    third = await ck.expect(probe, ck.run_rows(4), "SUCCESS", "a third RUN (another result still open): ")
    q3 = third.metadata.get("qid")
    if type(q3) is not int or q3 in (q1, q2):
        fail(f"each RUN in a transaction should name its result by a distinct Integer qid; got {third}")
    pull = await ck.expect(probe, Pull({"n": -1, "qid": q1}), "SUCCESS", f"PULL of qid {q1}: ")
    ck.check_rows(pull.rows, 2, 3, f"PULL {{n: -1, qid: {q1}}}")
    discard = await ck.expect(probe, Discard({"n": -1, "qid": q3}), "SUCCESS", f"DISCARD of qid {q3}: ")
    if discard.rows:
        fail(f"DISCARD should stream no records, got {discard}")
    _has_more(ck, discard, False, f"DISCARD {{n: -1, qid: {q3}}}")
    await ck.expect(probe, Commit(), "SUCCESS", "with every result read or discarded, ")
    return f"qids {q1}, {q2}, {q3}"


async def pull_all(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run, pull, run2, discard = await ck.ask(probe, ck.run_rows(3), ck.pull_all(), ck.run_rows(3), DiscardAll())
    for answer, name in ((run, "RUN"), (pull, "PULL_ALL"), (run2, "RUN"), (discard, "DISCARD_ALL")):
        if answer.kind != "SUCCESS":
            fail(f"{name} should be answered SUCCESS, got {answer}")
    ck.check_rows(pull.rows, 1, 3, "PULL_ALL")
    if discard.rows:
        fail(f"DISCARD_ALL should stream no records, got {discard}")
    return ""


async def reset_streaming(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    await ck.expect(probe, ck.run_rows(100), "SUCCESS")
    if ck.has("pull_n"):
        pull = await ck.expect(probe, Pull({"n": 1}), "SUCCESS")
        _has_more(ck, pull, True, "PULL {n: 1} of 100 rows")
    await ck.expect(probe, Reset(), "SUCCESS", "with records left, ")
    run, pull = await ck.ask(probe, ck.run_rows(2), ck.pull_all())
    if run.kind != "SUCCESS":
        fail(f"after RESET the connection should be READY: RUN got {run}")
    ck.check_rows(pull.rows, 1, 2, "the RUN after RESET (none of the records left before it)")
    return ""


async def noop(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    codec = probe._codec
    run, pull = ck.run_rows(2), ck.pull_all()
    raw = (NOOP + chunk_message(codec.pack_message(run)) + NOOP + NOOP
           + chunk_message(codec.pack_message(pull)) + NOOP)
    got_run, got_pull = await ck.ask(probe, run, pull, raw=raw)
    if got_run.kind != "SUCCESS" or got_pull.kind != "SUCCESS":
        fail(f"NOOP chunks (00 00) around and between RUN and PULL should be skipped; got {got_run}; {got_pull}")
    ck.check_rows(got_pull.rows, 1, 2, "RUN, PULL with NOOPs between")
    return ""


async def pipeline(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    answers = await ck.ask(probe, ck.run_rows(1), ck.pull_all(), ck.run_rows(2), ck.pull_all(),
                           ck.run_rows(3), ck.pull_all())
    for i, answer in enumerate(answers):
        if answer.kind != "SUCCESS":
            fail(f"request {i + 1} of a pipeline of 6 should be answered SUCCESS, got {answer}")
    for n, answer in zip((1, 2, 3), answers[1::2], strict=True):
        ck.check_rows(answer.rows, 1, n, f"pipelined result of n={n}")
    return ""


async def reset_long_pull(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    n = LONG_RESULT
    await ck.expect(probe, ck.run_rows(n), "SUCCESS")
    pull = ck.pull_all()
    await probe.send(pull)
    first = await probe.recv()  # the stream has begun: now the RESET
    await probe.send(Reset())
    rest = await ck.answer(probe, pull.name)
    rows = ([first.data] if first.name == "RECORD" else []) + rest.rows
    if first.name != "RECORD":  # (the summary came first: an empty or failed stream)
        fail(f"PULL of {n:,} rows should stream records, got {first.name}")
    if rest.kind not in ("SUCCESS", "IGNORED"):
        fail(f"a PULL cut short by a RESET should end in SUCCESS or IGNORED, got {rest}")
    ck.check_rows(rows, 1, len(rows), "the PULL before the RESET")
    reset = await ck.answer(probe, "RESET")
    if reset.kind != "SUCCESS":
        fail(f"RESET should be answered SUCCESS, got {reset}")
    run, after = await ck.ask(probe, ck.run_rows(2), ck.pull_all())
    if run.kind != "SUCCESS":
        fail(f"after RESET the connection should be READY: RUN got {run}")
    ck.check_rows(after.rows, 1, 2, "the RUN after RESET")
    return f"{len(rows):,} of {n:,} rows streamed before the RESET took effect ({rest.kind})"


async def goodbye_after_pipeline(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run, pull = await ck.ask(probe, ck.run_rows(2), ck.pull_all(), Goodbye())
    if run.kind != "SUCCESS" or pull.kind != "SUCCESS":
        fail(f"the requests before GOODBYE should be answered first; got {run}; {pull}")
    ck.check_rows(pull.rows, 1, 2, "the PULL before GOODBYE")
    await ck.closes(probe, "after GOODBYE")
    return ""


async def tiny_chunks(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run, pull = ck.run_rows(3), ck.pull_all()
    codec = probe._codec
    raw = b"".join(chunk_message(codec.pack_message(m), 1) for m in (run, pull))
    got_run, got_pull = await ck.ask(probe, run, pull, raw=raw)
    if got_run.kind != "SUCCESS" or got_pull.kind != "SUCCESS":
        fail(f"RUN and PULL in chunks of 1 byte should be answered SUCCESS; got {got_run}; {got_pull}")
    ck.check_rows(got_pull.rows, 1, 3, "RUN, PULL in 1-byte chunks")
    return f"{len(raw)} bytes"


async def trickle(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run, pull = ck.run_rows(3), ck.pull_all()
    codec = probe._codec
    raw = b"".join(chunk_message(codec.pack_message(m)) for m in (run, pull))
    ck.watch(probe)
    for i in range(len(raw)):  # one write per byte: the server must put messages together
        await probe.send_raw(raw[i:i + 1])
    got_run = await ck.answer(probe, "RUN")
    got_pull = await ck.answer(probe, pull.name)
    if got_run.kind != "SUCCESS" or got_pull.kind != "SUCCESS":
        fail(f"RUN and PULL sent a byte at a time should be answered SUCCESS; got {got_run}; {got_pull}")
    ck.check_rows(got_pull.rows, 1, 3, "RUN, PULL sent a byte at a time")
    return f"{len(raw)} writes"


async def large(ck: Checker) -> str:
    await ck.need_rows()
    probe = await ck.ready()
    run = ck.run_rows(1, pad="x" * LARGE_REQUEST)
    payload = probe._codec.pack_message(run)
    chunks = -(-len(payload) // MAX_CHUNK_SIZE)
    answer, = await ck.ask(probe, run)
    if answer.kind == "SUCCESS":
        pull = await ck.expect(probe, ck.pull_all(), "SUCCESS")
        ck.check_rows(pull.rows, 1, 1, "the large RUN")
        return f"{len(payload):,} bytes in {chunks} chunks: SUCCESS"
    if answer.kind == "FAILURE":
        # A server may refuse a message too large for it: with a FAILURE, as a protocol error.
        return f"{len(payload):,} bytes in {chunks} chunks: refused with FAILURE {answer.metadata}"
    skip(f"answered {answer}")


async def streaming_checks(ck: Checker) -> list[Check]:
    checks = [await ck.run("results: RUN, then PULL streams rows 1..n", lambda: rows(ck))]
    if ck.has("pull_n"):
        checks.append(await ck.run("results: PULL {n} in batches, has_more until the last", lambda: pull_n(ck)))
        checks.append(await ck.run("results: DISCARD {n} streams nothing, has_more until the last",
                                   lambda: discard_n(ck)))
    else:
        checks.append(await ck.run("results: PULL_ALL streams all, DISCARD_ALL none", lambda: pull_all(ck)))
    if ck.has("qid"):
        checks.append(await ck.run("results: open results of a transaction, PULL and DISCARD by qid",
                                   lambda: qids(ck)))
    checks.append(await ck.run("RESET while streaming: records left dropped, then READY",
                               lambda: reset_streaming(ck)))
    checks.append(await ck.run("pipeline: 6 requests in one write answered in order", lambda: pipeline(ck)))
    if ck.has("noop_chunks"):
        checks.append(await ck.run("NOOP chunks between messages and inside a pipeline", lambda: noop(ck)))
    checks.append(await ck.run(f"RESET during a PULL of {LONG_RESULT:,} rows: the stream ends, then READY",
                               lambda: reset_long_pull(ck)))
    if ck.has("goodbye"):
        checks.append(await ck.run("GOODBYE behind a pipeline: the requests before it answered, then closed",
                                   lambda: goodbye_after_pipeline(ck)))
    return checks


async def framing_checks(ck: Checker) -> list[Check]:
    """Messages in 1-byte chunks, sent a byte at a time, and of :data:`LARGE_REQUEST` bytes
    (run after every other check: a server may not survive them)."""
    return [await ck.run("framing: RUN and PULL in chunks of 1 byte", lambda: tiny_chunks(ck)),
            await ck.run("framing: RUN and PULL sent a byte at a time", lambda: trickle(ck)),
            await ck.run(f"framing: a request of {LARGE_REQUEST >> 20} MiB in many chunks", lambda: large(ck))]
