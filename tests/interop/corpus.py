"""A deterministic corpus of binary nodes for comparing botkit's codec with Baileys'.

``build_corpus()`` returns the same list of :class:`Case` on every run (one seeded
``random.Random``). The cases cover every stanza family botkit sends or receives, every JID form,
every token table, packed strings at every length boundary, every binary length class and
``LIST_16`` lists.

Baileys reads a string attribute that contains ``@`` as a JID, encodes the names of JavaScript's
``Object.prototype`` members (``constructor``, ``toString``...) as ``0x00``, and reorders
integer-like attribute keys (JavaScript object order). The corpus avoids those inputs, so every
difference it finds is botkit's to explain; :func:`check_case` enforces this.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from botkit.core.binary import Node
from botkit.types.jid import GROUP_SERVER_JID, JID, SERVER_JID

__all__ = ["KINDS", "SEED", "Case", "build_corpus", "check_case", "iter_nodes"]

SEED = 20261127

# Names JavaScript objects inherit: Baileys' token lookup (a plain object) finds them and
# writes 0x00.
JS_PROTOTYPE_NAMES = frozenset(
    {
        "constructor",
        "__proto__",
        "__defineGetter__",
        "__defineSetter__",
        "__lookupGetter__",
        "__lookupSetter__",
        "hasOwnProperty",
        "isPrototypeOf",
        "propertyIsEnumerable",
        "toLocaleString",
        "toString",
        "valueOf",
    }
)

Attrs = dict[str, str | JID]


@dataclass(frozen=True, slots=True)
class Case:
    """One corpus node.

    ``baileys_encodes`` is False for nodes that Baileys' encoder cannot produce (Messenger and
    interop JIDs, which it has no writer for); those are still decoded by Baileys.
    """

    kind: str
    name: str
    node: Node
    baileys_encodes: bool = True


def iter_nodes(node: Node) -> Iterator[Node]:
    """Yields ``node`` and all its descendants, depth first."""
    yield node
    if isinstance(node.content, list):
        for child in node.content:
            yield from iter_nodes(child)


def check_case(case: Case) -> list[str]:
    """Returns the reasons ``case`` would test Baileys' quirks instead of botkit (none: usable)."""
    problems: list[str] = []
    for node in iter_nodes(case.node):
        strings = [node.tag, *node.attrs]
        strings += [v for v in node.attrs.values() if isinstance(v, str)]
        if not node.tag:
            problems.append("a node has an empty tag")
        for s in strings:
            if "@" in s:
                problems.append(f"<{node.tag}> string {s!r} has '@' (Baileys reads it as a JID)")
            if s in JS_PROTOTYPE_NAMES:
                problems.append(f"<{node.tag}> string {s!r} is a JS prototype name")
        for key in node.attrs:
            if key.isdigit():
                problems.append(f"<{node.tag}> key {key!r} is integer-like (JS reorders it)")
    return problems


# -- values ----------------------------------------------------------------------------------------


class _Gen:
    """Random values in the shapes WhatsApp uses, all drawn from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, low: int, high: int) -> str:
        n = self.rng.randint(low, high)
        return str(self.rng.randint(1, 9)) + "".join(self.rng.choices(string.digits, k=n - 1))

    def hex_upper(self, n: int) -> str:
        return "".join(self.rng.choices("0123456789ABCDEF", k=n))

    def blob(self, low: int, high: int) -> bytes:
        return self.rng.randbytes(self.rng.randint(low, high))

    def msg_id(self) -> str:
        # Baileys and whatsmeow ids: "3EB0" + uppercase hex, which packs as HEX_8.
        return self.rng.choice(["3EB0", "BAE5", "A5"]) + self.hex_upper(self.rng.choice([16, 18]))

    def ts(self) -> str:
        return str(self.rng.randint(1_600_000_000, 1_900_000_000))

    def pn(self, device: int | None = None) -> JID:
        return _jid(self.digits(10, 13), "s.whatsapp.net", device)

    def lid(self, device: int | None = None) -> JID:
        return _jid(self.digits(14, 15), "lid", device)

    def user_device(self) -> JID:
        device = self.rng.choice([0, 0, 1, 2, 3, 5, 12, 25, 99])
        return self.rng.choice([self.pn, self.lid])(device)

    def group(self) -> JID:
        if self.rng.random() < 0.2:
            return JID.parse(f"{self.digits(11, 12)}-{self.ts()}@g.us")
        return JID.parse(f"120363{self.digits(12, 12)}@g.us")


def _jid(user: str, server: str, device: int | None) -> JID:
    return JID.parse(f"{user}@{server}" if device is None else f"{user}:{device}@{server}")


SERVER = SERVER_JID  # "@s.whatsapp.net": a JID pair with an empty user, as both peers send it
GROUP_SERVER = GROUP_SERVER_JID


def _n(
    tag: str,
    attrs: Mapping[str, str | JID] | None = None,
    content: bytes | list[Node] | None = None,
) -> Node:
    return Node(tag, dict(attrs or {}), content)


# -- stanza families -------------------------------------------------------------------------------


def _fanout(g: _Gen, devices: int) -> Node:
    rng = g.rng
    tos = []
    for _ in range(devices):
        enc = _n("enc", {"v": "2", "type": rng.choice(["pkmsg", "msg"])}, g.blob(40, 600))
        tos.append(_n("to", {"jid": g.user_device()}, [enc]))
    attrs: Attrs = {"id": g.msg_id(), "to": rng.choice([g.pn(), g.lid()]), "type": "text"}
    if rng.random() < 0.5:
        attrs["phash"] = "2:" + "".join(rng.choices(string.ascii_letters + "+/", k=8))
    children = [_n("participants", {}, tos)]
    if rng.random() < 0.7:
        children.append(_n("device-identity", {}, g.blob(100, 180)))
    return _n("message", attrs, children)


def _group_message(g: _Gen) -> Node:
    rng = g.rng
    if rng.random() < 0.5:  # outgoing: skmsg plus sender-key distribution to new devices
        children = [_n("enc", {"v": "2", "type": "skmsg"}, g.blob(30, 900))]
        if rng.random() < 0.6:
            tos = [
                _n(
                    "to",
                    {"jid": g.user_device()},
                    [_n("enc", {"v": "2", "type": "pkmsg"}, g.blob(200, 400))],
                )
                for _ in range(rng.randint(1, 12))
            ]
            children.insert(0, _n("participants", {}, tos))
            children.append(_n("device-identity", {}, g.blob(120, 160)))
        return _n("message", {"id": g.msg_id(), "to": g.group(), "type": "text"}, children)
    attrs: Attrs = {
        "from": g.group(),
        "id": g.msg_id(),
        "participant": g.user_device(),
        "t": g.ts(),
        "type": rng.choice(["text", "media", "reaction", "poll"]),
        "notify": rng.choice(["Ana", "Bob 🎉", "Zoë", "李雷", "team-bot"]),
    }
    if rng.random() < 0.5:
        attrs["participant_pn"] = g.pn()
        attrs["addressing_mode"] = "lid"
    return _n("message", attrs, [_n("enc", {"v": "2", "type": "skmsg"}, g.blob(30, 900))])


def _incoming_message(g: _Gen) -> Node:
    rng = g.rng
    attrs: Attrs = {"from": g.user_device(), "id": g.msg_id(), "t": g.ts(), "type": "text"}
    if rng.random() < 0.5:
        attrs["sender_lid"] = g.lid()
    if rng.random() < 0.3:
        attrs["recipient"] = g.pn()
    enc_type = rng.choice(["pkmsg", "msg"])
    return _n("message", attrs, [_n("enc", {"v": "2", "type": enc_type}, g.blob(60, 2000))])


def _usync_query(g: _Gen) -> Node:
    rng = g.rng
    users = [_n("user", {"jid": rng.choice([g.pn(), g.lid()])}) for _ in range(rng.randint(1, 40))]
    protocols = [_n("devices", {"version": "2"})]
    if rng.random() < 0.7:
        protocols.append(_n("lid"))
    if rng.random() < 0.3:
        protocols += [_n("contact"), _n("status"), _n("business", {}, [_n("verified_name")])]
    usync = _n(
        "usync",
        {"sid": g.msg_id(), "mode": "query", "last": "true", "index": "0", "context": "message"},
        [_n("query", {}, protocols), _n("list", {}, users)],
    )
    return _n("iq", {"id": g.msg_id(), "xmlns": "usync", "type": "get", "to": SERVER}, [usync])


def _usync_result(g: _Gen) -> Node:
    rng = g.rng
    users = []
    for _ in range(rng.randint(1, 30)):
        ids = sorted(rng.sample(range(1, 30), rng.randint(0, 5)))
        devices = [_n("device", {"id": "0"})]
        devices += [_n("device", {"id": str(i), "key-index": str(rng.randint(1, 9))}) for i in ids]
        dev_children = [_n("device-list", {}, devices)]
        if ids:
            dev_children.append(_n("key-index-list", {"ts": g.ts()}, g.blob(20, 120)))
        children = [_n("devices", {}, dev_children)]
        if rng.random() < 0.7:
            children.append(_n("lid", {"val": g.lid()}))
        users.append(_n("user", {"jid": g.pn()}, children))
    usync = _n(
        "usync",
        {"sid": g.msg_id(), "mode": "query", "last": "true", "index": "0", "context": "message"},
        [_n("result", {}, [_n("devices")]), _n("list", {}, users)],
    )
    return _n("iq", {"from": SERVER, "id": g.msg_id(), "type": "result"}, [usync])


def _receipt(g: _Gen) -> Node:
    rng = g.rng
    attrs: Attrs = {"id": g.msg_id(), rng.choice(["to", "from"]): g.user_device()}
    kind = rng.choice(["read", "read-self", "played", "retry", "sender", "inactive", "delivery"])
    if kind != "delivery":
        attrs["type"] = kind
    attrs["t"] = g.ts()
    if rng.random() < 0.4:
        attrs["participant"] = g.user_device()
    children = []
    if rng.random() < 0.6:
        items = [_n("item", {"id": g.msg_id()}) for _ in range(rng.randint(1, 300))]
        children.append(_n("list", {}, items))
    if kind == "retry":
        children.append(_n("retry", {"count": "1", "id": g.msg_id(), "t": g.ts(), "v": "1"}))
        children.append(_n("registration", {}, g.blob(4, 4)))
    return _n("receipt", attrs, children or None)


def _ack(g: _Gen) -> Node:
    rng = g.rng
    cls = rng.choice(["receipt", "message", "notification", "call"])
    attrs: Attrs = {"class": cls, "id": g.msg_id(), "to": g.user_device()}
    if rng.random() < 0.5:
        attrs["type"] = rng.choice(["read", "text", "devices", "offer"])
    if rng.random() < 0.3:
        attrs["participant"] = g.user_device()
    if rng.random() < 0.2:
        attrs["error"] = rng.choice(["487", "500", "404"])
    if rng.random() < 0.3:
        attrs["from"] = SERVER
    return _n("ack", attrs)


def _group_iq(g: _Gen) -> Node:
    rng = g.rng
    members = [rng.choice([g.pn(), g.lid()]) for _ in range(rng.randint(1, 50))]
    shape = rng.choice(["create", "create-result", "add", "add-result", "remove", "promote"])
    base: Attrs = {"id": g.msg_id(), "xmlns": "w:g2", "type": "set"}
    if shape == "create":
        create = _n(
            "create",
            {
                "subject": rng.choice(["Family ❤️", "Weekend plans", "Проект", "x" * 100]),
                "key": g.hex_upper(16),
            },
            [_n("participant", {"jid": m}) for m in members],
        )
        return _n("iq", {**base, "to": GROUP_SERVER}, [create])
    if shape in ("add", "remove", "promote"):
        action = _n(shape, {}, [_n("participant", {"jid": m}) for m in members])
        return _n("iq", {**base, "to": g.group()}, [action])
    group_jid = g.group()
    if shape == "create-result":
        parts = [_n("participant", {"jid": members[0], "type": "superadmin"})]
        parts += [_n("participant", {"jid": m}) for m in members[1:]]
        group = _n(
            "group",
            {
                "id": group_jid.user,
                "creator": members[0],
                "creation": g.ts(),
                "subject": "Weekend plans",
                "s_t": g.ts(),
                "s_o": members[0],
                "size": str(len(members)),
                "addressing_mode": "pn",
            },
            parts,
        )
        return _n("iq", {"from": GROUP_SERVER, "id": g.msg_id(), "type": "result"}, [group])
    results = []
    for m in members:
        error = rng.choice(["200", "403", "408", "409"])
        attrs: Attrs = {"jid": m, "error": error}
        if error == "403":
            add_req = _n("add_request", {"code": g.hex_upper(8), "expiration": g.ts()})
            results.append(_n("participant", attrs, [add_req]))
        else:
            results.append(_n("participant", attrs))
    return _n(
        "iq", {"from": group_jid, "id": g.msg_id(), "type": "result"}, [_n("add", {}, results)]
    )


def _notification(g: _Gen) -> Node:
    rng = g.rng
    kind = rng.choice(["devices", "w:gp2", "picture", "encrypt", "account_sync", "server_sync"])
    attrs: Attrs = {"from": g.pn(), "id": g.digits(6, 10), "t": g.ts(), "type": kind}
    if kind == "devices":
        content = [
            _n(
                rng.choice(["add", "remove"]),
                {"device_hash": "2:" + g.hex_upper(8)},
                [_n("device", {"jid": g.pn(rng.randint(1, 20)), "key-index": "3"})],
            )
        ]
    elif kind == "w:gp2":
        attrs["from"] = g.group()
        attrs["participant"] = g.user_device()
        content = [_n("add", {"reason": "invite"}, [_n("participant", {"jid": g.pn()})])]
    elif kind == "picture":
        content = [_n("set", {"jid": g.pn(), "id": g.digits(9, 10), "author": g.pn()})]
    elif kind == "encrypt":
        attrs["from"] = SERVER
        content = [_n("count", {"value": str(rng.randint(0, 50))})]
    elif kind == "account_sync":
        content = [
            _n("devices", {"dhash": "2:" + g.hex_upper(8)}, [_n("device", {"jid": g.pn(0)})])
        ]
    else:
        attrs["from"] = SERVER
        names = ["critical_block", "critical_unblock_low", "regular", "regular_low", "regular_high"]
        content = [_n("collection", {"name": name, "version": g.digits(1, 4)}) for name in names]
    return _n("notification", attrs, content)


def _pair_device(g: _Gen) -> Node:
    rng = g.rng
    refs = [
        _n(
            "ref",
            {},
            "".join(rng.choices(string.ascii_letters + "+/=,", k=g.rng.randint(80, 160))).encode(),
        )
        for _ in range(6)
    ]
    return _n(
        "iq",
        {"from": SERVER, "type": "set", "id": g.msg_id(), "xmlns": "md"},
        [_n("pair-device", {}, refs)],
    )


def _pair_success(g: _Gen) -> Node:
    children = [
        _n("device-identity", {}, g.blob(150, 220)),
        _n("platform", {"name": "smba"}),
        _n("biz", {"name": "Shop ☕"}),
        _n("device", {"jid": g.pn(g.rng.randint(1, 30)), "lid": g.lid(g.rng.randint(1, 30))}),
    ]
    return _n(
        "iq",
        {"from": SERVER, "type": "set", "id": g.msg_id(), "xmlns": "md"},
        [_n("pair-success", {}, children)],
    )


def _success(g: _Gen) -> Node:
    attrs: Attrs = {
        "t": g.ts(),
        "props": g.digits(1, 5),
        "abprops": g.digits(1, 5),
        "location": g.rng.choice(["frc", "atn", "lla"]),
        "creation": g.ts(),
        "lid": g.lid(g.rng.randint(1, 9)),
        "companion_enc_static": "".join(g.rng.choices(string.ascii_letters + "+/", k=44)),
    }
    return _n("success", attrs)


def _stream_error(g: _Gen) -> Node:
    choice = g.rng.randrange(5)
    if choice == 0:
        return _n("stream:error", {"code": g.rng.choice(["515", "503", "401", "500"])})
    if choice == 1:
        return _n("stream:error", {}, [_n("conflict", {"type": "replaced"})])
    if choice == 2:
        return _n("stream:error", {}, [_n("conflict", {"type": "device_removed"})])
    if choice == 3:
        return _n(
            "failure", {"reason": g.rng.choice(["401", "403", "405", "503"]), "location": "frc"}
        )
    return _n("xmlstreamend")


# -- encoding edge cases ---------------------------------------------------------------------------


def _packed_cases(g: _Gen) -> Iterator[tuple[str, Node]]:
    """Nibble and hex strings of every length 1..130 and a few longer: odd, even, 127, 128+."""
    lengths = [*range(1, 131), 200, 255, 256, 300]
    for n in lengths:
        nibble = "".join(g.rng.choices("0123456789-.", k=n))
        hexs = g.hex_upper(n - 1) + g.rng.choice("ABCDEF")  # at least one letter: not nibble
        yield f"packed-{n}", _n("packed", {"nibble": nibble, "hex": hexs, "n": str(n)})
    for s in [
        "0",
        "-",
        ".",
        "00",
        "-.",
        "1.2-3",
        "A",
        "F",
        "0A",
        "deadbeef",
        "DEADbeef",
        "G1",
        "1e9",
        "+1",
    ]:
        yield f"packed-literal-{s}", _n("packed", {"v": s, "w": s + s})


def _token_cases(single: list[str], double: list[list[str]]) -> Iterator[tuple[str, Node]]:
    """Every single-byte and double-byte token, as a tag, as an attribute value and in keys."""
    usable = [t for t in single[1:] if t and "@" not in t and t not in JS_PROTOTYPE_NAMES]
    for token in usable:
        # Tokens as tags and as values; keys stay non-numeric because JS would reorder them.
        yield f"single-{token}", _n(token, {"v": token})
    for d, table in enumerate(double):
        for i in range(0, len(table), 4):
            chunk = table[i : i + 4]
            attrs: Attrs = {f"k{j}": t for j, t in enumerate(chunk)}
            keys = [t for t in chunk if not t.isdigit()]
            if keys:
                attrs[keys[0]] = chunk[-1]
            yield f"double-{d}-{i}", _n(chunk[0] if not chunk[0].isdigit() else "tok", attrs)


def _jid_cases(g: _Gen) -> Iterator[tuple[str, Node, bool]]:
    """Every JID form, in attributes; the bool says whether Baileys can encode it."""
    forms = [
        "@s.whatsapp.net",
        "@g.us",
        "@lid",
        "@broadcast",
        "@call",
        "15551234567@s.whatsapp.net",
        "15551234567:0@s.whatsapp.net",
        "15551234567:1@s.whatsapp.net",
        "15551234567:99@s.whatsapp.net",
        "15551234567:255@s.whatsapp.net",
        "15551234567.5:3@s.whatsapp.net",
        "15551234567.2:0@s.whatsapp.net",
        "123456789012345@lid",
        "123456789012345:0@lid",
        "123456789012345:7@lid",
        "120363012345678901@g.us",
        "15551234567-1600000000@g.us",
        "status@broadcast",
        "1600000000@broadcast",
        "120363123456789012@newsletter",
        "15551234567@hosted",
        "15551234567:0@hosted",
        "15551234567:99@hosted",
        "123456789012345@hosted.lid",
        "123456789012345:99@hosted.lid",
        "0@s.whatsapp.net",
        "16505361212@c.us",
        "867051314767696@bot",
        "13135550002@s.whatsapp.net",
        "ABCDEF0123456789ABCDEF0123456789@call",
        "server@c.us",
        "user@s.whatsapp.net",
        "émoji😀@s.whatsapp.net",
        "100012345678901@msgr",  # a JID pair in Baileys, an FB_JID in botkit: see below
    ]
    for i, form in enumerate(forms):
        baileys_ok = not form.endswith("@msgr")
        yield f"jid-{i}-{form}", _n("jid", {"jid": JID.parse(form), "s": "x"}), baileys_ok
    # Messenger and interop JIDs: Baileys has no writer for FB_JID/INTEROP_JID, only readers.
    others = [
        "100012345678901:0@msgr",
        "100012345678901:3@msgr",
        "100012345678901:65535@msgr",
        "7-100012345678901:0@interop",
        "65535-100012345678901:12@interop",
    ]
    for i, form in enumerate(others):
        yield f"jid-wire-only-{i}-{form}", _n("jid", {"jid": JID.parse(form)}), False
    # Many JIDs in one node, in random forms.
    for i in range(60):
        attrs: Attrs = {
            f"j{k}": g.rng.choice([g.user_device, g.group, g.pn, g.lid])() for k in range(12)
        }
        yield f"jid-mixed-{i}", _n("jids", attrs), True


def _binary_cases(g: _Gen) -> Iterator[tuple[str, Node]]:
    sizes = [0, 1, 2, 127, 128, 255, 256, 257, 4095, 65535, 65536, 65537, (1 << 20) - 1, 1 << 20]
    for size in sizes:
        yield f"bytes-{size}", _n("media", {"size": str(size)}, g.rng.randbytes(size))
    for size in [300, 70_000]:
        text = "".join(g.rng.choices(string.ascii_letters, k=size))
        yield f"raw-string-{size}", _n("raw", {"v": text})


def _unicode_cases() -> Iterator[tuple[str, Node]]:
    samples = [
        "café",
        "Zoë 🎉",
        "李雷和韩梅梅",
        "Привет, мир",
        "مرحبا",
        "👨‍👩‍👧‍👦",
        "a\u0000b",
        "tab\tnew\nline",
        "😀" * 63,  # 252 bytes: BINARY_8
        "😀" * 64,  # 256 bytes: BINARY_20
        "é" * 127 + "x",  # 255 bytes
        "ab" * 64,
    ]
    for i, s in enumerate(samples):
        yield f"unicode-{i}", _n("text", {"v": s, "subject": s[::-1]}, s.encode())


def _list_cases(g: _Gen) -> Iterator[tuple[str, Node]]:
    for count in [255, 256, 257, 1000, 4000]:
        items = [_n("item", {"id": g.msg_id()}) for _ in range(count)]
        yield f"children-{count}", _n("list", {}, items)
    for count in [127, 128, 200]:
        attrs: Attrs = {f"a{i}": g.digits(1, 6) for i in range(count)}
        yield f"attrs-{count}", _n("wide", attrs)
        yield f"attrs-{count}-content", _n("wide", attrs, b"\x01\x02")
    yield "empty-node", _n("x")
    yield "empty-bytes", _n("x", {}, b"")
    yield "empty-children", _n("x", {"a": "1"}, [])
    yield "empty-string-value", _n("x", {"a": "", "b": "2"})
    yield "empty-string-value-content", _n("x", {"a": ""}, [_n("y", {"z": ""})])
    yield "deep", _nest(40)


def _nest(depth: int) -> Node:
    node = _n("leaf", {"d": str(depth)})
    for d in range(depth - 1, -1, -1):
        node = _n("n", {"d": str(d)}, [node])
    return node


# -- corpus ----------------------------------------------------------------------------------------

_FAMILIES: list[tuple[str, int, Callable[[_Gen], Node]]] = [
    ("group-message", 200, _group_message),
    ("incoming-message", 200, _incoming_message),
    ("usync-query", 60, _usync_query),
    ("usync-result", 60, _usync_result),
    ("receipt", 200, _receipt),
    ("ack", 200, _ack),
    ("group-iq", 100, _group_iq),
    ("notification", 100, _notification),
    ("pair-device", 10, _pair_device),
    ("pair-success", 10, _pair_success),
    ("success", 20, _success),
    ("stream-error", 30, _stream_error),
]

#: Every kind of case, in corpus order (tests are parametrized on it).
KINDS = (
    "fanout",
    *(kind for kind, _, _ in _FAMILIES),
    "packed",
    "token",
    "jid",
    "binary",
    "unicode",
    "list",
)


def build_corpus(single: list[str], double: list[list[str]], seed: int = SEED) -> list[Case]:
    """Builds the corpus; ``single``/``double`` are the token tables (index 0 of single is "")."""
    g = _Gen(random.Random(seed))
    cases: list[Case] = []
    for devices in [1, 2, 8, 16, 32, 63, 64, 64, 64, 64]:
        cases.append(Case("fanout", f"fanout-{len(cases)}-{devices}", _fanout(g, devices)))
    for i in range(40):
        cases.append(Case("fanout", f"fanout-random-{i}", _fanout(g, g.rng.randint(1, 64))))
    for kind, count, make in _FAMILIES:
        cases += [Case(kind, f"{kind}-{i}", make(g)) for i in range(count)]
    cases += [Case("packed", name, node) for name, node in _packed_cases(g)]
    cases += [Case("token", name, node) for name, node in _token_cases(single, double)]
    cases += [Case("jid", name, node, ok) for name, node, ok in _jid_cases(g)]
    cases += [Case("binary", name, node) for name, node in _binary_cases(g)]
    cases += [Case("unicode", name, node) for name, node in _unicode_cases()]
    cases += [Case("list", name, node) for name, node in _list_cases(g)]
    return cases
