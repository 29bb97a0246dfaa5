"""A self-signed TLS certificate for the sandbox's media server (PROTOCOL.md §15.9).

Real clients build ``https://<host>`` media URLs (whatsmeow always, Baileys for uploads), so the
sandbox can serve media over TLS. The certificate is made at start-up for ``127.0.0.1`` and
``localhost``; a client trusts it by its PEM (:attr:`SelfSigned.cert_pem`), e.g. an
``ssl.SSLContext(cadata=...)`` in Python or ``NODE_EXTRA_CA_CERTS`` for Node.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["SelfSigned"]

_VALIDITY = datetime.timedelta(days=3650)


@dataclass(frozen=True, slots=True)
class SelfSigned:
    """A certificate and the server context that presents it."""

    cert_pem: str
    context: ssl.SSLContext = field(repr=False)

    @classmethod
    def generate(cls, host: str) -> SelfSigned:
        """Return a fresh P-256 certificate for ``host``, ``127.0.0.1`` and ``localhost``."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "botkit sandbox media")])
        now = datetime.datetime.now(datetime.UTC)
        names: list[x509.GeneralName] = [x509.DNSName("localhost")]
        for address in {host, "127.0.0.1"}:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(address)))
            except ValueError:
                names.append(x509.DNSName(address))
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + _VALIDITY)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        # ssl loads a certificate chain from files only: a private temporary directory.
        with tempfile.TemporaryDirectory() as directory:
            chain = Path(directory) / "media.pem"
            chain.touch(mode=0o600)
            chain.write_text(cert_pem + key_pem)
            context.load_cert_chain(chain)
        return cls(cert_pem=cert_pem, context=context)
