"""The binary node codec against Baileys' ``encodeBinaryNode`` / ``decodeBinaryNode``.

For every corpus node (see ``corpus.py``):

* Baileys' bytes decode in botkit to the original node;
* botkit's bytes are byte-identical to Baileys' bytes for the same node;
* botkit decodes its own bytes to the original node, and Baileys decodes them to the JSON it
  would produce for its own encoding.

Each test runs per corpus kind, with one oracle round trip for the whole corpus, and reports
every disagreeing node with its first differing byte and both hex windows.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.binary.tokens import DOUBLE_BYTE_TOKENS, SINGLE_BYTE_TOKENS
from botkit.errors import RemoteProtocolError
from botkit.types.jid import JID

from .corpus import KINDS, Case, build_corpus, check_case
from .oracle import NodeJson, Oracle

MAX_REPORTED = 8

# -- the JSON forms --------------------------------------------------------------------------------

_AD_SERVERS = {"s.whatsapp.net", "lid", "hosted", "hosted.lid"}


def baileys_jid(jid: JID) -> str:
    """The string Baileys must be given to encode ``jid`` the way botkit does."""
    if jid.agent:  # whatsmeow's form is user.agent:device, Baileys' is user_agent:device
        return f"{jid.user}_{jid.agent}:{jid.device}@{jid.server}"
    return str(jid)


def baileys_decoded_jid(jid: JID) -> str:
    """The string Baileys' decoder produces for the wire form botkit writes for ``jid``."""
    if jid.server == "msgr":
        return f"{jid.user}:{jid.device}@msgr"
    if jid.server == "interop":
        return f"{jid.integrator}-{jid.user}:{jid.device}@interop"
    if ":" in baileys_jid(jid):  # an AD_JID: Baileys drops device 0 and the agent
        server = jid.server if jid.server in _AD_SERVERS else "s.whatsapp.net"
        device = f":{jid.device}" if jid.device else ""
        return f"{jid.user}{device}@{server}"
    return baileys_jid(jid)


def to_json(node: Node, decoded: bool = False) -> NodeJson:
    """``node`` as oracle JSON: what to give Baileys, or (``decoded``) what Baileys gives back."""
    attrs: dict[str, str] = {}
    for key, value in node.attrs.items():
        if isinstance(value, JID):
            attrs[key] = baileys_decoded_jid(value) if decoded else baileys_jid(value)
        else:
            attrs[key] = value
    content: Any = None
    if isinstance(node.content, list):
        content = [to_json(child, decoded) for child in node.content]
    elif node.content is not None:
        content = {"bytes": bytes(node.content).hex()}
    return {"tag": node.tag, "attrs": attrs, "content": content}


def _jid_text(jid: JID) -> str:
    # An FB_JID always carries its device, so ``x:0@msgr`` and ``x@msgr`` are one wire form.
    return f"{jid.user}:{jid.device}@msgr" if jid.server == "msgr" else str(jid)


def canonical(node: Node) -> dict[str, Any]:
    """A comparable form of a botkit node that keeps whether a value is a JID and its wire form."""
    attrs = {
        key: f"JID {_jid_text(value)}" if isinstance(value, JID) else f"str {value}"
        for key, value in node.attrs.items()
    }
    content: Any = node.content
    if isinstance(content, list):
        content = [canonical(child) for child in content]
    elif content is not None:
        content = bytes(content)
    return {"tag": node.tag, "attrs": attrs, "content": content}


# -- readable differences --------------------------------------------------------------------------


def byte_diff(ours: bytes, theirs: bytes, window: int = 16) -> str:
    """Where two encodings first differ, with a hex window of each around that offset."""
    offset = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    lo = max(0, offset - window)
    return (
        f"first difference at byte {offset} (botkit {len(ours)} bytes, Baileys {len(theirs)})\n"
        f"    botkit  [{lo}:]: {ours[lo : offset + window].hex(' ')}\n"
        f"    Baileys [{lo}:]: {theirs[lo : offset + window].hex(' ')}"
    )


def value_diff(ours: Any, theirs: Any, path: str = "") -> str:
    """The first path at which two nested JSON-like values differ, and both values there."""
    if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
        for key in sorted(set(ours) | set(theirs), key=str):
            if ours.get(key, "<missing>") != theirs.get(key, "<missing>"):
                return value_diff(
                    ours.get(key, "<missing>"), theirs.get(key, "<missing>"), f"{path}.{key}"
                )
        return f"{path}: equal"
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items vs {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if a != b:
                return value_diff(a, b, f"{path}[{i}]")
        return f"{path}: equal"
    return f"{path}: {_short(ours)} != {_short(theirs)}"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def _report(what: str, failures: list[str]) -> str:
    shown = "\n\n".join(failures[:MAX_REPORTED])
    more = (
        f"\n\n... and {len(failures) - MAX_REPORTED} more" if len(failures) > MAX_REPORTED else ""
    )
    return f"{len(failures)} node(s): {what}\n\n{shown}{more}"


def _describe(case: Case) -> str:
    xml = case.node.to_xml()
    return f"[{case.name}] {xml[:300]}{'...' if len(xml) > 300 else ''}"


# -- fixtures: one oracle round trip per direction for the whole corpus ----------------------------


@pytest.fixture(scope="module")
def corpus(oracle: Oracle) -> list[Case]:
    single, double = oracle.tokens()
    return build_corpus(single, double)


@pytest.fixture(scope="module")
def baileys_bytes(oracle: Oracle, corpus: list[Case]) -> dict[str, bytes | str]:
    """Baileys' encoding of every case it can encode (an error message where it failed)."""
    cases = [c for c in corpus if c.baileys_encodes]
    return dict(
        zip((c.name for c in cases), oracle.encode([to_json(c.node) for c in cases]), strict=True)
    )


@pytest.fixture(scope="module")
def botkit_bytes(corpus: list[Case]) -> dict[str, bytes | str]:
    """botkit's encoding of every case (the exception text where it raised)."""
    out: dict[str, bytes | str] = {}
    for case in corpus:
        try:
            out[case.name] = encode_node(case.node)
        except Exception as exc:  # reported per node by the tests below
            out[case.name] = f"{type(exc).__name__}: {exc}"
    return out


@pytest.fixture(scope="module")
def baileys_decodes_ours(
    oracle: Oracle, corpus: list[Case], botkit_bytes: dict[str, bytes | str]
) -> dict[str, NodeJson | str]:
    names = [c.name for c in corpus if isinstance(botkit_bytes[c.name], bytes)]
    frames = [botkit_bytes[name] for name in names]
    decoded = oracle.decode(f for f in frames if isinstance(f, bytes))
    return dict(zip(names, decoded, strict=True))


def _of_kind(corpus: Iterable[Case], kind: str) -> list[Case]:
    cases = [c for c in corpus if c.kind == kind]
    assert cases, f"the corpus has no {kind!r} cases"
    return cases


# -- the corpus itself -----------------------------------------------------------------------------


def test_corpus_is_large_deterministic_and_avoids_baileys_quirks(
    oracle: Oracle, corpus: list[Case]
) -> None:
    assert len(corpus) >= 2000
    assert len({c.name for c in corpus}) == len(corpus)
    assert {c.kind for c in corpus} == set(KINDS)
    problems = [f"{c.name}: {p}" for c in corpus for p in check_case(c)]
    assert problems == []
    again = build_corpus(*oracle.tokens())
    assert [canonical(c.node) for c in again] == [canonical(c.node) for c in corpus]


# -- the four directions ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_botkit_decodes_baileys_bytes(
    kind: str, corpus: list[Case], baileys_bytes: dict[str, bytes | str]
) -> None:
    failures = []
    for case in _of_kind(corpus, kind):
        if not case.baileys_encodes:
            continue
        frame = baileys_bytes[case.name]
        if isinstance(frame, str):
            failures.append(f"{_describe(case)}\n    Baileys could not encode it: {frame}")
            continue
        try:
            decoded = decode_node(frame)
        except Exception as exc:
            failures.append(f"{_describe(case)}\n    botkit raised {exc!r} on {frame[:48].hex()}")
            continue
        if canonical(decoded) != canonical(case.node):
            diff = value_diff(canonical(decoded), canonical(case.node))
            failures.append(f"{_describe(case)}\n    decoded (botkit vs original) {diff}")
    assert not failures, _report("Baileys' bytes do not decode to the original node", failures)


@pytest.mark.parametrize("kind", KINDS)
def test_encoding_is_byte_identical_to_baileys(
    kind: str,
    corpus: list[Case],
    baileys_bytes: dict[str, bytes | str],
    botkit_bytes: dict[str, bytes | str],
) -> None:
    failures = []
    for case in _of_kind(corpus, kind):
        if not case.baileys_encodes:
            continue
        ours, theirs = botkit_bytes[case.name], baileys_bytes[case.name]
        if isinstance(ours, str) or isinstance(theirs, str):
            failures.append(
                f"{_describe(case)}\n    botkit: {ours!s:.80}\n    Baileys: {theirs!s:.80}"
            )
        elif ours != theirs:
            failures.append(f"{_describe(case)}\n    {byte_diff(ours, theirs)}")
    assert not failures, _report("botkit's bytes differ from Baileys'", failures)


@pytest.mark.parametrize("kind", KINDS)
def test_botkit_decodes_its_own_bytes(
    kind: str, corpus: list[Case], botkit_bytes: dict[str, bytes | str]
) -> None:
    failures = []
    for case in _of_kind(corpus, kind):
        frame = botkit_bytes[case.name]
        if isinstance(frame, str):
            failures.append(f"{_describe(case)}\n    botkit could not encode it: {frame}")
            continue
        decoded = decode_node(frame)
        if canonical(decoded) != canonical(case.node):
            diff = value_diff(canonical(decoded), canonical(case.node))
            failures.append(f"{_describe(case)}\n    decoded (botkit vs original) {diff}")
    assert not failures, _report("botkit does not read back its own bytes", failures)


@pytest.mark.parametrize("kind", KINDS)
def test_baileys_decodes_botkit_bytes(
    kind: str,
    corpus: list[Case],
    botkit_bytes: dict[str, bytes | str],
    baileys_decodes_ours: dict[str, NodeJson | str],
) -> None:
    failures = []
    for case in _of_kind(corpus, kind):
        if case.name not in baileys_decodes_ours:
            failures.append(f"{_describe(case)}\n    botkit could not encode it")
            continue
        theirs = baileys_decodes_ours[case.name]
        expected = to_json(case.node, decoded=True)
        if isinstance(theirs, str):
            frame = botkit_bytes[case.name]
            head = frame[:48].hex() if isinstance(frame, bytes) else ""
            failures.append(f"{_describe(case)}\n    Baileys raised {theirs!r} on {head}")
        elif theirs != expected:
            failures.append(
                f"{_describe(case)}\n    (Baileys vs expected) {value_diff(theirs, expected)}"
            )
    assert not failures, _report("Baileys reads botkit's bytes differently", failures)


# -- single facts ----------------------------------------------------------------------------------

SANITY_NODE = Node(
    "iq", {"id": "1", "type": "get", "xmlns": "w:p", "to": "s.whatsapp.net"}, [Node("ping")]
)
SANITY_BYTES = bytes.fromhex("00f80a190855042916571103f801f80156")


def test_sanity_vector_matches_baileys(oracle: Oracle) -> None:
    assert oracle.encode([to_json(SANITY_NODE)]) == [SANITY_BYTES]
    assert encode_node(SANITY_NODE) == SANITY_BYTES
    assert canonical(decode_node(SANITY_BYTES)) == canonical(SANITY_NODE)


# Values Baileys writes as strings in content (tokens, packed, JIDs, raw), decoded by botkit as
# their UTF-8 bytes.
STRING_CONTENT = [
    "s.whatsapp.net",
    "admin_add",
    "read-self",
    "1724",
    "0",
    "12345",
    "1.2-3",
    "3EB0ABCDEF",
    "text",
    "hello world",
    "ünïcödé ✓",
    "15551234567@s.whatsapp.net",
    "15551234567:3@s.whatsapp.net",
    "123456789012345:7@lid",
    "120363012345678901@g.us",
    "x" * 300,
]


def test_botkit_reads_baileys_string_content_as_utf8_bytes(oracle: Oracle) -> None:
    nodes = [{"tag": "body", "attrs": {}, "content": {"string": s}} for s in STRING_CONTENT]
    frames = oracle.encode(nodes)
    decoded = [decode_node(f).content if isinstance(f, bytes) else f for f in frames]
    assert decoded == [s.encode() for s in STRING_CONTENT]


def test_compressed_frames_decode_in_both(
    oracle: Oracle, corpus: list[Case], botkit_bytes: dict[str, bytes | str]
) -> None:
    cases = [c for c in corpus if c.kind == "fanout"][:10]
    frames = []
    for case in cases:
        frame = botkit_bytes[case.name]
        assert isinstance(frame, bytes)
        frames.append(b"\x02" + zlib.compress(frame[1:]))
    assert [canonical(decode_node(f)) for f in frames] == [canonical(c.node) for c in cases]
    assert oracle.decode(frames) == [to_json(c.node, decoded=True) for c in cases]


def test_truncated_frames_are_rejected_by_both(
    oracle: Oracle, corpus: list[Case], botkit_bytes: dict[str, bytes | str]
) -> None:
    small = [botkit_bytes[c.name] for c in corpus if c.kind in ("ack", "success")][:20]
    prefixes = [f[:n] for f in small if isinstance(f, bytes) for n in range(1, len(f))]
    accepted_by_botkit = []
    for prefix in prefixes:
        try:
            decode_node(prefix)
        except RemoteProtocolError:
            continue
        accepted_by_botkit.append(prefix.hex())
    accepted_by_baileys = [
        p.hex()
        for p, r in zip(prefixes, oracle.decode(prefixes), strict=True)
        if not isinstance(r, str)
    ]
    assert (accepted_by_botkit, accepted_by_baileys) == ([], [])


def test_js_prototype_names_are_written_as_strings(oracle: Oracle) -> None:
    """Baileys writes ``constructor``, ``toString``... as ``0x00`` (its token table is a plain JS
    object); botkit writes the string, and Baileys reads it back."""
    names = ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"]
    nodes = [Node("x", {"a": name}) for name in names]
    decoded = oracle.decode(encode_node(node) for node in nodes)
    assert decoded == [to_json(node, decoded=True) for node in nodes]


def _frame(*parts: bytes | str) -> bytes:
    return b"\x00" + b"".join(p.encode() if isinstance(p, str) else p for p in parts)


def _raw(text: str) -> bytes:
    data = text.encode()
    return bytes((0xFC, len(data))) + data


# Valid encodings Baileys' encoder never produces (whatsmeow's, or non-minimal ones).
FOREIGN_FRAMES = {
    "empty nibble string": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\xff\x00"),
    "empty hex string": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\xfb\x00"),
    "LIST_EMPTY as a string": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\x00"),
    "token content": _frame(b"\xf8\x02", _raw("x"), b"\x03"),
    "double-byte token content": _frame(b"\xf8\x02", _raw("x"), b"\xef\x00"),
    "nibble content": _frame(b"\xf8\x02", _raw("x"), b"\xff\x82\x12\x3f"),
    "JID content": _frame(b"\xf8\x02", _raw("x"), b"\xfa\xff\x81\x1f\x03"),
    "BINARY_20 short string": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\xfd\x00\x00\x03abc"),
    "BINARY_32 short string": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\xfe\x00\x00\x00\x02hi"),
    "BINARY_20 short bytes": _frame(b"\xf8\x02", _raw("x"), b"\xfd\x00\x00\x02\x01\x02"),
    "LIST_16 header": _frame(b"\xf9\x00\x03", _raw("x"), _raw("a"), _raw("b")),
    "LIST_16 children": _frame(b"\xf8\x02", _raw("x"), b"\xf9\x00\x01\xf8\x01", _raw("y")),
    "raw server in a JID pair": _frame(
        b"\xf8\x03", _raw("x"), _raw("a"), b"\xfa\xff\x81\x1f", _raw("foo")
    ),
    "AD_JID with a raw agent": _frame(
        b"\xf8\x03", _raw("x"), _raw("a"), b"\xf7\x05\x03\xff\x81\x1f"
    ),
    "FB_JID": _frame(b"\xf8\x03", _raw("x"), _raw("a"), b"\xf6\xff\x81\x1f\x00\x07", _raw("msgr")),
}


def _strings_as_bytes(node: NodeJson) -> NodeJson:
    """Baileys' JSON with string content turned into bytes, the way botkit hands it over."""
    content = node["content"]
    if isinstance(content, list):
        content = [_strings_as_bytes(child) for child in content]
    elif isinstance(content, dict) and "string" in content:
        content = {"bytes": content["string"].encode().hex()}
    return {**node, "content": content}


def test_botkit_reads_foreign_encodings_like_baileys(oracle: Oracle) -> None:
    names = list(FOREIGN_FRAMES)
    theirs = oracle.decode(FOREIGN_FRAMES.values())
    differing = []
    for name, frame, their in zip(names, FOREIGN_FRAMES.values(), theirs, strict=True):
        ours = to_json(decode_node(frame), decoded=True)
        if isinstance(their, str) or ours != _strings_as_bytes(their):
            differing.append(f"{name}: botkit {ours} / Baileys {their}")
    assert differing == []


def test_token_tables_match_baileys(oracle: Oracle) -> None:
    single, double = oracle.tokens()
    assert (list(SINGLE_BYTE_TOKENS), [list(d) for d in DOUBLE_BYTE_TOKENS]) == (single, double)
