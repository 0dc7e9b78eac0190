#!/usr/bin/python3
# third-party-client.py: a ThreeTwoOne client written from shared/PROTOCOL.md
# alone, in another language, to check that the document is enough.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 tests/third-party-client.py ws://127.0.0.1:PORT/v1/ws
#
# Uses Debian's python3-websockets (10.4, asyncio API) and nothing else.
# Exits 0 when every step behaves as documented, 1 with a message otherwise,
# 77 (skipped) when websockets is missing.

import asyncio
import json
import re
import sys
import uuid

try:
    import websockets
except ImportError:
    print("skipped: python3-websockets is not installed")
    sys.exit(77)

TIMEOUT = 5.0
INVITE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
ID_RE = re.compile(r"^[0-9abcdefghjkmnpqrstvwxyz]{16}$")


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Client:
    """One WebSocket connection: answers matched by re, pushes queued."""

    def __init__(self, name):
        self.name = name
        self.ws = None
        self.next_id = 0
        self.waiting = {}
        self.pushes = []
        self.push_event = asyncio.Event()
        self.reader = None
        self.identity_id = None
        self.token = None
        self.failure = None

    async def connect(self, url):
        self.ws = await websockets.connect(url, max_size=2 ** 21)
        self.reader = asyncio.create_task(self._read())

    async def _read(self):
        try:
            async for raw in self.ws:
                check(isinstance(raw, str), f"{self.name}: the relay sent a binary frame")
                frame = json.loads(raw)
                check(isinstance(frame, dict), f"{self.name}: frame is not an object: {raw}")
                check(frame.get("v") == 1, f"{self.name}: frame without v=1: {raw}")
                check(isinstance(frame.get("type"), str), f"{self.name}: frame without type: {raw}")
                check("id" not in frame, f"{self.name}: a relay frame carries id: {raw}")
                body = frame.get("body", {})
                check(isinstance(body, dict), f"{self.name}: body is not an object: {raw}")
                re_ = frame.get("re")
                if frame["type"] in ("ok", "error") and re_ is not None:
                    future = self.waiting.pop(re_, None)
                    check(future is not None,
                          f"{self.name}: answer to an unknown or already answered request: {raw}")
                    future.set_result(frame)
                else:
                    check(frame["type"] != "ok", f"{self.name}: ok without re: {raw}")
                    self.pushes.append(frame)
                    self.push_event.set()
        except websockets.ConnectionClosed:
            pass
        except Failure as e:
            # Hand a protocol violation to whoever waits on this connection.
            self.failure = e
            for future in self.waiting.values():
                if not future.done():
                    future.set_exception(e)
            self.push_event.set()

    async def send_frame(self, type_, body=None, with_id=True):
        if self.failure is not None:
            raise self.failure
        frame = {"v": 1, "type": type_}
        future = None
        if with_id:
            self.next_id += 1
            frame["id"] = f"py{self.next_id}"
            future = asyncio.get_running_loop().create_future()
            self.waiting[frame["id"]] = future
        if body is not None:
            frame["body"] = body
        await self.ws.send(json.dumps(frame))
        return frame.get("id"), future

    async def request(self, type_, body=None):
        id_, future = await self.send_frame(type_, body)
        try:
            answer = await asyncio.wait_for(future, TIMEOUT)
        except asyncio.TimeoutError:
            raise Failure(f"{self.name}: no answer to {type_} within {TIMEOUT} s")
        check(answer.get("re") == id_, f"{self.name}: answer re {answer.get('re')} != {id_}")
        return answer

    async def ok(self, type_, body=None):
        answer = await self.request(type_, body)
        check(answer["type"] == "ok",
              f"{self.name}: {type_} expected ok, got {json.dumps(answer)}")
        return answer.get("body", {})

    async def error(self, type_, body, code):
        answer = await self.request(type_, body)
        check(answer["type"] == "error" and answer["body"].get("code") == code,
              f"{self.name}: {type_} expected error {code}, got {json.dumps(answer)}")
        check(isinstance(answer["body"].get("message"), str),
              f"{self.name}: error without message")
        return answer["body"]

    async def push(self, type_, timeout=TIMEOUT):
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            if self.failure is not None:
                raise self.failure
            for i, frame in enumerate(self.pushes):
                if frame["type"] == type_:
                    del self.pushes[i]
                    return frame["body"]
            remaining = end - loop.time()
            if remaining <= 0:
                return None
            self.push_event.clear()
            try:
                await asyncio.wait_for(self.push_event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def expect_push(self, type_, timeout=TIMEOUT):
        body = await self.push(type_, timeout)
        check(body is not None, f"{self.name}: no {type_} within {timeout} s")
        return body

    def count(self, type_):
        return sum(1 for f in self.pushes if f["type"] == type_)

    async def close(self):
        await self.ws.close()
        if self.reader is not None:
            await self.reader


async def create_identity(client, name):
    body = await client.ok("identity.create", {"kind": "one_time", "display_name": name})
    check(ID_RE.match(body.get("identity_id", "")), f"bad identity_id: {body}")
    check(body.get("display_name") == name, f"display_name not kept: {body}")
    check(body.get("kind") == "one_time", f"kind not one_time: {body}")
    token = body.get("token")
    check(isinstance(token, str) and len(token) == 43 and re.match(r"^[A-Za-z0-9_-]+$", token),
          f"token is not 43 characters of base64url: {token!r}")
    client.identity_id = body["identity_id"]
    client.token = token


async def expect_messages(client, event_id, first, last, texts=None):
    got = []
    for seq in range(first, last + 1):
        msg = await client.expect_push("msg.new")
        check(msg.get("event_id") == event_id, f"{client.name}: msg.new for another event: {msg}")
        check(msg.get("seq") == seq,
              f"{client.name}: expected seq {seq}, got {msg.get('seq')} (order or gap)")
        for key in ("msg_id", "client_msg_id", "sender_id", "sender_name", "text"):
            check(isinstance(msg.get(key), str), f"{client.name}: msg.new without {key}: {msg}")
        check(isinstance(msg.get("ts"), int), f"{client.name}: msg.new ts not an integer")
        if texts is not None:
            check(msg["text"] == texts[seq - first],
                  f"{client.name}: seq {seq} has text {msg['text']!r}, "
                  f"expected {texts[seq - first]!r}")
        got.append(msg)
    return got


async def run(url):
    ana = Client("Ana")
    bo = Client("Bo")
    await ana.connect(url)
    await bo.connect(url)

    # Only ping before an identity.
    pong = await ana.ok("ping")
    check(isinstance(pong.get("ts"), int), f"ping without ts: {pong}")
    await ana.error("event.list", None, "unauthorized")

    await create_identity(ana, "Ana")
    await create_identity(bo, "Bo")

    # A bad frame gets bad_frame with re, and the connection stays.
    await ana.error("event.create", {"title": 7}, "bad_frame")
    await ana.error("msg.send", {"event_id": "x"}, "bad_frame")

    created = await ana.ok("event.create", {"title": "Picnic", "content": "Saturday, 12:00"})
    event = created.get("event")
    check(isinstance(event, dict), f"event.create without event: {created}")
    event_id = event.get("event_id", "")
    check(ID_RE.match(event_id), f"bad event_id: {event}")
    code = event.get("invite_code")
    check(isinstance(code, str) and len(code) == 8 and all(c in INVITE_ALPHABET for c in code),
          f"bad invite code {code!r}")
    check(event.get("member_count") == 1, f"member_count != 1: {event}")
    check(event.get("last_seq") == 0, f"last_seq != 0: {event}")
    check(event.get("role") == "creator", f"role != creator: {event}")
    check(event.get("state") == "active", f"state != active: {event}")
    check(event.get("deadline") is None, f"deadline not null: {event}")

    # Join with the code as a person types it.
    typed = (code[:4] + "-" + code[4:]).lower()
    joined = (await bo.ok("event.join", {"invite_code": typed}))["event"]
    check(joined.get("event_id") == event_id, f"joined another event: {joined}")
    check(joined.get("role") == "member", f"role != member: {joined}")
    check(joined.get("invite_code") is None, f"member sees the invite code: {joined}")
    check(joined.get("member_count") == 2, f"member_count != 2: {joined}")
    mj = await ana.expect_push("member.joined")
    check(mj.get("event_id") == event_id and mj.get("member_count") == 2, f"member.joined: {mj}")
    check(mj.get("member", {}).get("identity_id") == bo.identity_id, f"member.joined: {mj}")
    check(mj.get("member", {}).get("display_name") == "Bo", f"member.joined: {mj}")
    await bo.error("event.join", {"invite_code": "0OOO1III"}, "bad_frame")

    # Messages both ways, one at a time.
    texts = []
    first_ok = None
    for i in range(10):
        sender = ana if i % 2 == 0 else bo
        text = f"message {i} from {sender.name} — 你好 🎉"
        cmid = str(uuid.uuid4())
        body = await sender.ok("msg.send", {"event_id": event_id, "client_msg_id": cmid,
                                            "text": text})
        check(body.get("seq") == i + 1, f"msg.send ok seq {body.get('seq')} != {i + 1}")
        check(ID_RE.match(body.get("msg_id", "")), f"bad msg_id: {body}")
        check(isinstance(body.get("ts"), int), f"ts not an integer: {body}")
        texts.append(text)
        if first_ok is None:
            first_ok = (cmid, text, body)
    at_ana = await expect_messages(ana, event_id, 1, 10, texts)
    at_bo = await expect_messages(bo, event_id, 1, 10, texts)
    for x, y in zip(at_ana, at_bo):
        check(x["msg_id"] == y["msg_id"], "the two members see different logs")
    check(at_ana[0]["sender_id"] == ana.identity_id and at_ana[0]["sender_name"] == "Ana",
          f"sender of seq 1: {at_ana[0]}")
    check(at_ana[1]["sender_id"] == bo.identity_id, f"sender of seq 2: {at_ana[1]}")

    # Pipelined: several sends in flight, order kept.
    futures = []
    for i in range(5):
        _, fut = await ana.send_frame("msg.send", {"event_id": event_id,
                                                   "client_msg_id": f"pipe-{i}",
                                                   "text": f"pipe {i}"})
        futures.append(fut)
    answers = await asyncio.wait_for(asyncio.gather(*futures), TIMEOUT)
    check([a["body"].get("seq") for a in answers] == list(range(11, 16)),
          f"pipelined seqs: {[a['body'].get('seq') for a in answers]}")
    await expect_messages(bo, event_id, 11, 15, [f"pipe {i}" for i in range(5)])
    await expect_messages(ana, event_id, 11, 15)

    # Idempotent resend: same answer, nothing delivered twice.
    cmid, text, body = first_ok
    again = await ana.ok("msg.send", {"event_id": event_id, "client_msg_id": cmid, "text": text})
    check(again.get("seq") == body["seq"] and again.get("msg_id") == body["msg_id"]
          and again.get("ts") == body["ts"], f"resend answered {again}, first time {body}")
    await asyncio.sleep(0.3)
    check(ana.count("msg.new") == 0 and bo.count("msg.new") == 0,
          "a resent message was delivered again")

    # Too large: 4001 characters.
    err = await ana.error("msg.send", {"event_id": event_id, "client_msg_id": "big",
                                       "text": "ß" * 4001}, "too_large")
    check("text" in err["message"], f"too_large message does not name the field: {err}")

    # Resume: Bo disconnects, Ana sends 3, Bo comes back.
    await bo.close()
    missed = [f"while away {i}" for i in range(3)]
    for i, t in enumerate(missed):
        await ana.ok("msg.send", {"event_id": event_id, "client_msg_id": f"away-{i}", "text": t})
    await expect_messages(ana, event_id, 16, 18, missed)
    bo2 = Client("Bo (again)")
    await bo2.connect(url)
    auth = await bo2.ok("auth", {"token": bo.token})
    check(auth.get("identity_id") == bo.identity_id, f"auth as another identity: {auth}")
    resumed = await bo2.ok("resume", {"events": {event_id: 15}})
    state = resumed.get("events", {}).get(event_id, {})
    check(state.get("last_seq") == 18 and state.get("state") == "active",
          f"resume answered {resumed}")
    # Pushed before the ok, so already here.
    check(bo2.count("msg.new") == 3, f"resume pushed {bo2.count('msg.new')} messages, not 3")
    await expect_messages(bo2, event_id, 16, 18, missed)

    # Bo may not end the event; Ana may.
    await bo2.error("event.end", {"event_id": event_id}, "forbidden")
    await ana.ok("event.end", {"event_id": event_id})
    for c in (ana, bo2):
        ended = await c.expect_push("event.ended")
        check(ended.get("event_id") == event_id and ended.get("reason") == "ended",
              f"{c.name}: event.ended {ended}")
    await bo2.error("msg.send", {"event_id": event_id, "client_msg_id": "late", "text": "?"},
                    "not_found")
    await ana.error("event.get", {"event_id": event_id}, "not_found")

    await ana.close()
    await bo2.close()


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} ws://HOST:PORT/v1/ws", file=sys.stderr)
        return 2
    try:
        asyncio.run(asyncio.wait_for(run(sys.argv[1]), 60))
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as e:
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print("third-party client: every step as PROTOCOL.md says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
