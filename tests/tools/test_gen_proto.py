"""The committed protobuf modules are exactly what tools/gen_proto.py generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_regenerating_protobufs_changes_nothing() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_proto.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_generated_modules_import_and_round_trip() -> None:
    from botkit.pb import cert_pb2, wa6_pb2

    details = cert_pb2.CertChain.NoiseCertificate.Details(serial=7, issuer_serial=0, key=b"k" * 32)
    parsed = cert_pb2.CertChain.NoiseCertificate.Details.FromString(details.SerializeToString())
    assert parsed.serial == 7 and parsed.HasField("issuer_serial") and parsed.key == b"k" * 32
    payload = wa6_pb2.ClientPayload(passive=False, username=15550001111)
    assert wa6_pb2.ClientPayload.FromString(payload.SerializeToString()).HasField("passive")
