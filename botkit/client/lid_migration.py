"""Learning a user's LID (PROTOCOL.md §5.3): record the mapping, then move the PN sessions.

Signal sessions are kept under the address the peer was talked to by. Once the client knows
that a phone-number user is also a LID user, it keeps talking to the LID address; sessions and
identities held under the phone number move there in one store unit
(:meth:`~botkit.store.base.SessionStore.move_user`), so the peer's next ``msg`` still decrypts
and no new ``pkmsg`` is needed. :func:`alternate_user` reads the mapping back either way.
"""

from __future__ import annotations

import logging
from typing import Protocol

from botkit.store.base import LIDMapStore
from botkit.types.jid import JID

__all__ = ["MappingStore", "alternate_user", "learn_lid"]

log = logging.getLogger(__name__)


class MappingStore(Protocol):
    """What learning a mapping needs of the store."""

    async def put_lid_mapping(self, lid: str, pn: str) -> None: ...

    async def move_user(self, old_name: str, new_name: str) -> int: ...


async def learn_lid(store: MappingStore, lid: JID, pn: JID) -> None:
    """Record that ``lid`` and ``pn`` (users, any device) are one user; move its PN sessions.

    Raises:
        StoreError: the store failed (the mapping is learnt again with the next message).
    """
    lid, pn = lid.to_non_ad(), pn.to_non_ad()
    await store.put_lid_mapping(str(lid), str(pn))
    moved = await store.move_user(pn.signal_address().name, lid.signal_address().name)
    if moved:
        log.info("moved %d sessions of %s to its LID", moved, pn)


async def alternate_user(store: LIDMapStore, user: JID) -> JID | None:
    """Return the other name of ``user`` (any device): its LID for a phone number, else its PN.

    Raises:
        StoreError: the store failed.
    """
    user = user.to_non_ad()
    found = await (store.lid_for_pn(str(user)) if user.is_pn else store.pn_for_lid(str(user)))
    return None if found is None else JID.parse(found).to_non_ad()
