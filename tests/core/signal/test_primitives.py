"""The shared symmetric primitives: RFC vectors, CBC round trips, and equality with the standard
implementations they replace on the hot path."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from botkit.core.signal.primitives import (
    UnsaltedHkdf,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    chain_step,
    hkdf,
    hmac_sha256,
)
from botkit.errors import InvalidMessage


def test_hkdf_matches_rfc5869_case_1() -> None:
    okm = hkdf(
        bytes.fromhex("0b" * 22),
        salt=bytes.fromhex("000102030405060708090a0b0c"),
        info=bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"),
        length=42,
    )
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )


def test_hkdf_without_salt_matches_rfc5869_case_3() -> None:
    okm = hkdf(bytes.fromhex("0b" * 22), salt=None, info=b"", length=42)
    assert okm.hex() == (
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
    )


def test_hmac_sha256_matches_rfc4231_case_2() -> None:
    digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?")
    assert digest.hex() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


@given(
    st.binary(max_size=200),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=16, max_size=16),
)
def test_cbc_round_trips(plaintext: bytes, key: bytes, iv: bytes) -> None:
    ciphertext = aes_cbc_encrypt(key, iv, plaintext)
    assert len(ciphertext) % 16 == 0 and len(ciphertext) > len(plaintext)
    assert aes_cbc_decrypt(key, iv, ciphertext) == plaintext


@pytest.mark.parametrize("ciphertext", [b"", b"x" * 15, b"x" * 17])
def test_cbc_rejects_partial_blocks(ciphertext: bytes) -> None:
    with pytest.raises(InvalidMessage):
        aes_cbc_decrypt(b"k" * 32, b"i" * 16, ciphertext)


def test_cbc_rejects_bad_padding() -> None:
    key, iv = b"k" * 32, b"i" * 16
    ciphertext = aes_cbc_encrypt(key, iv, b"hello")
    with pytest.raises(InvalidMessage):
        aes_cbc_decrypt(b"K" * 32, iv, ciphertext)


@given(st.binary(max_size=100))
def test_cbc_padding_is_pkcs7(plaintext: bytes) -> None:
    from cryptography.hazmat.primitives import padding as reference

    key, iv = b"k" * 32, b"i" * 16
    padder = reference.PKCS7(128).padder()
    expected_padded = padder.update(plaintext) + padder.finalize()
    raw = aes_cbc_decrypt_raw(key, iv, aes_cbc_encrypt(key, iv, plaintext))
    assert raw == expected_padded


def aes_cbc_decrypt_raw(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


@pytest.mark.parametrize("pad", [0, 17, 255])
def test_cbc_rejects_pad_lengths_out_of_range(pad: int) -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = b"k" * 32, b"i" * 16
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(b"x" * 15 + bytes([pad])) + encryptor.finalize()
    with pytest.raises(InvalidMessage):
        aes_cbc_decrypt(key, iv, ciphertext)


def test_cbc_rejects_inconsistent_pad_bytes() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = b"k" * 32, b"i" * 16
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(b"x" * 13 + b"\x02\x03\x03") + encryptor.finalize()
    with pytest.raises(InvalidMessage):
        aes_cbc_decrypt(key, iv, ciphertext)


# The hand-built HMAC and HKDF against the standard implementations, and the direct AES
# contexts against the public Cipher API.


@given(st.binary(max_size=150), st.binary(max_size=300))
def test_hmac_sha256_equals_the_standard_hmac(key: bytes, data: bytes) -> None:
    import hmac

    assert hmac_sha256(key, data) == hmac.digest(key, data, "sha256")


@given(st.binary(max_size=64))
def test_chain_step_is_two_hmacs(chain_key: bytes) -> None:
    assert chain_step(chain_key) == (
        hmac_sha256(chain_key, b"\x01"),
        hmac_sha256(chain_key, b"\x02"),
    )


@given(
    st.binary(max_size=100),
    st.none() | st.binary(max_size=100),
    st.binary(max_size=40),
    st.integers(1, 300),
)
def test_hkdf_equals_cryptographys_hkdf(
    ikm: bytes, salt: bytes | None, info: bytes, length: int
) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    expected = HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)
    assert hkdf(ikm, salt=salt, info=info, length=length) == expected


@given(st.binary(max_size=100), st.binary(max_size=40), st.integers(1, 6))
def test_unsalted_hkdf_blocks_equal_hkdf(ikm: bytes, info: bytes, blocks: int) -> None:
    derived = UnsaltedHkdf(info, blocks).derive(ikm)
    assert [len(block) for block in derived] == [32] * blocks
    assert b"".join(derived) == hkdf(ikm, salt=None, info=info, length=32 * blocks)


def test_hkdf_lengths_out_of_range_are_refused() -> None:
    for length in (0, 255 * 32 + 1):
        with pytest.raises(ValueError):
            hkdf(b"k", salt=None, info=b"", length=length)
    for blocks in (0, 256):
        with pytest.raises(ValueError):
            UnsaltedHkdf(b"", blocks)
    assert len(hkdf(b"k", salt=None, info=b"", length=255 * 32)) == 255 * 32


@given(
    st.binary(max_size=100),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=16, max_size=16),
)
def test_cbc_equals_the_public_cipher_api(plaintext: bytes, key: bytes, iv: bytes) -> None:
    from cryptography.hazmat.primitives import padding as reference
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    padder = reference.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    padded = padder.update(plaintext) + padder.finalize()
    expected = encryptor.update(padded) + encryptor.finalize()
    assert aes_cbc_encrypt(key, iv, plaintext) == expected


def test_cbc_through_the_public_cipher_api_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    from botkit.core.signal import primitives

    key, iv = b"k" * 32, b"i" * 16
    fast = aes_cbc_encrypt(key, iv, b"hello")
    monkeypatch.setattr(primitives, "_new_encryptor", primitives._public_encryptor)
    monkeypatch.setattr(primitives, "_new_decryptor", primitives._public_decryptor)
    assert aes_cbc_encrypt(key, iv, b"hello") == fast
    assert aes_cbc_decrypt(key, iv, fast) == b"hello"


@pytest.mark.parametrize(("key", "iv"), [(b"k" * 31, b"i" * 16), (b"k" * 32, b"i" * 15)])
def test_cbc_refuses_bad_key_and_iv_sizes(key: bytes, iv: bytes) -> None:
    with pytest.raises(ValueError):
        aes_cbc_encrypt(key, iv, b"x")
    with pytest.raises(ValueError):
        aes_cbc_decrypt(key, iv, b"x" * 16)
