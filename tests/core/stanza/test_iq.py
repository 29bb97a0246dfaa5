"""IQ requests, results and errors (Appendix B)."""

from __future__ import annotations

import pytest

from botkit.core.binary import Node, decode_node, encode_node
from botkit.core.stanza import error_reply, iq, iq_error, result_payload, result_reply
from botkit.errors import DecodeError, IQError
from botkit.types.jid import SERVER_JID


def test_iq_shape() -> None:
    node = iq("w:p", "get", "1", [Node("ping")])
    assert node.attrs == {"id": "1", "xmlns": "w:p", "type": "get", "to": SERVER_JID}
    assert decode_node(encode_node(node)) == node


def test_result_payload_returns_the_result() -> None:
    request = iq("encrypt", "get", "7", [Node("count")])
    answer = result_reply(request, [Node("count", {"value": "3"})])
    assert answer.attrs == {"id": "7", "type": "result", "from": SERVER_JID}
    assert result_payload(answer) is answer


def test_error_answer_raises_iq_error_with_code_and_text() -> None:
    answer = error_reply(iq("usync", "get", "8", [Node("usync")]), 404)
    with pytest.raises(IQError) as caught:
        result_payload(decode_node(encode_node(answer)))
    assert (caught.value.code, caught.value.text) == (404, "item-not-found")


def test_error_text_is_filled_from_the_code_when_missing() -> None:
    answer = Node("iq", {"id": "1", "type": "error"}, [Node("error", {"code": "429"})])
    assert iq_error(answer).text == "rate-overlimit"


def test_error_without_details_is_code_zero() -> None:
    error = iq_error(Node("iq", {"id": "1", "type": "error"}))
    assert error.code == 0


@pytest.mark.parametrize(
    "node",
    [Node("message", {"id": "1"}), Node("iq", {"id": "1", "type": "get"}), Node("iq", {"id": "1"})],
)
def test_non_answers_are_decode_errors(node: Node) -> None:
    with pytest.raises(DecodeError):
        result_payload(node)


def test_error_code_that_is_not_a_number_is_code_zero() -> None:
    answer = Node("iq", {"type": "error"}, [Node("error", {"code": "x", "text": "odd"})])
    error = iq_error(answer)
    assert (error.code, error.text) == (0, "odd")
