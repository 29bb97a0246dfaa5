"""Generated protobuf modules (``tools/gen_proto.py`` writes them from the .proto files here).

Do not edit the ``*_pb2.py`` files by hand: edit the .proto and regenerate.
"""

__all__: list[str] = []
