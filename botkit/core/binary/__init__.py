"""WhatsApp's binary XML: the node model, its encoder and decoder, and the attribute reader."""

from botkit.core.binary.attrs import AttrReader
from botkit.core.binary.decoder import MAX_INFLATED, decode_node
from botkit.core.binary.encoder import MAX_DEPTH, encode_node
from botkit.core.binary.node import EMPTY_ATTRS, Node

__all__ = [
    "EMPTY_ATTRS",
    "MAX_DEPTH",
    "MAX_INFLATED",
    "AttrReader",
    "Node",
    "decode_node",
    "encode_node",
]
