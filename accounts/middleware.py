from .models import Membership


class HouseholdMiddleware:
    """Gives every request `request.household` and `request.membership` (None when logged out or
    without a household), loaded in one query with the membership."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.household = None
        if request.user.is_authenticated:
            membership = (
                Membership.objects.select_related("household")
                .filter(user_id=request.user.pk)
                .first()
            )
            if membership is not None:
                request.membership = membership
                request.household = membership.household
        return self.get_response(request)
