"""The one way views load household-owned objects: this household's object, or 404.

Every household-owned model either has a `household` foreign key or names the path to it in a
`HOUSEHOLD_FIELD` class attribute (e.g. Expense: `"cycle__household"`).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django_htmx.http import HttpResponseClientRedirect


def household_field(model: type[Model]) -> str:
    return getattr(model, "HOUSEHOLD_FIELD", "household")


def scoped(model_or_queryset: type[Model] | QuerySet, household) -> QuerySet:
    """The model's rows (or the queryset's) that belong to `household`."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    if household is None:
        return queryset.none()
    return queryset.filter(**{household_field(queryset.model): household})


def get_for_household(model_or_queryset: type[Model] | QuerySet, household, **lookup):
    """The household's object matching `lookup`, or Http404 — also for another household's object
    and for a malformed id, so a stranger cannot tell the difference."""
    try:
        return scoped(model_or_queryset, household).get(**lookup)
    except (ValueError, TypeError) as error:
        raise Http404("Bad id") from error
    except Exception as error:
        model = (
            model_or_queryset.model
            if isinstance(model_or_queryset, QuerySet)
            else model_or_queryset
        )
        if isinstance(error, model.DoesNotExist | model.MultipleObjectsReturned):
            raise Http404(f"No {model._meta.verbose_name} here") from error
        raise


def _send_to_login(request):
    # An HTMX fragment request must not get the log-in page swapped into a table cell.
    if getattr(request, "htmx", False):
        login_url = resolve_url(settings.LOGIN_URL)
        current = request.htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(f"{login_url}?{urlencode({'next': current})}")
    return redirect_to_login(request.get_full_path())


def login_required(view):
    """Django's login_required, answering HTMX requests with an HX-Redirect to log in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _send_to_login(request)
        return view(request, *args, **kwargs)

    return wrapper


def household_required(view):
    """Login required, and the user must belong to a household (else: set one up)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _send_to_login(request)
        if request.household is None:
            return redirect("accounts:household_setup")
        return view(request, *args, **kwargs)

    return wrapper


def two_factor_exempt(view):
    """A page a member of a household that requires two-factor may use before setting it up
    (the set-up itself, logging out)."""
    view.two_factor_exempt = True
    return view
