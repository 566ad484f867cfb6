from django.contrib.auth.backends import ModelBackend

from colony.compiled import CompiledQuery

from .models import User


def _user_query(user_id: int):
    return User._default_manager.select_related("membership__household").filter(pk=user_id)[:1]


# Every logged-in request loads its user: compiled once (colony/compiled.py), not per request.
_USER = CompiledQuery(_user_query, user_id=-7_000_000_061)


class HouseholdModelBackend(ModelBackend):
    """Django's ModelBackend, loading the user's membership and household in the same query.

    Every logged-in request needs all three (request.household); one query instead of two.
    """

    def get_user(self, user_id):
        found = _USER.objects(user_id=user_id)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
