"""Who did something, as a page says it.

A login's user name is an identifier, not a name: a leader's, steward's or liaison's login
is opened from their person record with their mobile number as user name, and staff
accounts are named by whoever set them up. Wherever a page or a message says who reviewed,
recorded, decided or changed something, it shows :func:`user_label`.
"""

from __future__ import annotations

from typing import Any


def user_label(user: Any, default: str = "—") -> str:
    """The name of the person a login belongs to (their person record, related as
    ``user.person`` by members.Person), else the account's full name, else its user name;
    ``default`` when there is no user. Querysets listing users select ``…__person`` with
    them, so that the name costs no query per row."""
    if user is None:
        return default
    person = getattr(user, "person", None)  # a missing person raises an AttributeError
    if person is not None and person.name:
        return person.name
    return user.get_full_name() or user.get_username()
