from django.contrib.auth.backends import ModelBackend

from .models import User


class HouseholdModelBackend(ModelBackend):
    """Django's ModelBackend, loading the user's membership and household in the same query.

    Every logged-in request needs all three (request.household); one query instead of two.
    """

    def get_user(self, user_id):
        user = User.objects.select_related("membership__household").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
