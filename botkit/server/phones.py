"""The simulated primary phone of an account (device 0): its Signal keys and its ADV signatures.

The phone's identity key is the account's ADV signing key: it signs every companion it links
(PROTOCOL.md §6.3), and it publishes a pre-key bundle like any device so that companions can
start Signal sessions with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from botkit.core.adv import account_signature_message
from botkit.core.signal import (
    KeyPair,
    PreKey,
    PreKeyBundle,
    SignedPreKey,
    generate_identity_key_pair,
    generate_prekeys,
    generate_registration_id,
    generate_signed_prekey,
    sign,
)
from botkit.core.signal.prekeys import Rng

__all__ = ["SimulatedPhone"]

_PRE_KEYS = 50


@dataclass(slots=True)
class SimulatedPhone:
    """Device 0 of an account: identity, registration id, signed and one-time pre-keys."""

    identity: KeyPair = field(repr=False)
    registration_id: int
    signed_pre_key: SignedPreKey = field(repr=False)
    pre_keys: dict[int, PreKey] = field(repr=False)
    rng: Rng = field(repr=False)
    handed_out: set[int] = field(default_factory=set)
    """Ids of one-time pre-keys already given to a peer (the private halves are kept)."""

    @classmethod
    def generate(cls, rng: Rng) -> SimulatedPhone:
        """Return a phone with fresh keys drawn from ``rng``."""
        identity = generate_identity_key_pair(rng)
        pre_keys = {key.key_id: key for key in generate_prekeys(1, _PRE_KEYS, rng)}
        return cls(
            identity=identity,
            registration_id=generate_registration_id(rng),
            signed_pre_key=generate_signed_prekey(identity, 1, rng),
            pre_keys=pre_keys,
            rng=rng,
        )

    def sign_companion(self, details: bytes, companion_identity: bytes) -> bytes:
        """Return the account signature of a companion: XEdDSA of ``06 00 ‖ details ‖ id``."""
        message = account_signature_message(details, companion_identity, hosted=False)
        return sign(self.identity.private, message, self.rng(64))

    def take_bundle(self) -> PreKeyBundle:
        """Return the phone's bundle, handing out its lowest unused one-time pre-key if any.

        The private half stays with the phone for the session the peer will start.
        """
        unused = [key_id for key_id in self.pre_keys if key_id not in self.handed_out]
        pre_key = self.pre_keys[min(unused)] if unused else None
        if pre_key is not None:
            self.handed_out.add(pre_key.key_id)
        return PreKeyBundle.of(self.registration_id, self.identity, self.signed_pre_key, pre_key)
