"""The account's API tokens page: personal access tokens for the JSON API."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..forms import ApiTokenForm
from ..models import ApiToken
from ..roles import allowed_for_viewers, can_write
from ..scoping import get_for_household, household_required


def _api_tokens_page(request, form, *, new_token=None, secret=None, status=200):
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_of(request.user),
            "new_token": new_token,
            "secret": secret,
            "can_write": can_write(request.membership),
        },
        status=status,
    )


@allowed_for_viewers  # a token acts with the viewer's role: it can only read
@household_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's personal access tokens for the JSON API; a new token's secret is shown once,
    on the answer to the POST that created it (never stored, so never shown again)."""
    if request.method == "GET":
        return _api_tokens_page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _api_tokens_page(request, form, status=422)
    token, secret = services.create_api_token(
        user=request.user,
        name=form.cleaned_data["name"],
        expires_in_days=form.cleaned_data["expires_in_days"],
        read_only=form.cleaned_data["access"] == "read",
    )
    response = _api_tokens_page(request, ApiTokenForm(), new_token=token, secret=secret)
    response["Cache-Control"] = "no-store"
    return response


@allowed_for_viewers
@household_required
@require_POST
def api_token_revoke(request, pk):
    token = get_for_household(ApiToken.objects.filter(user=request.user), request.household, pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” was revoked; it no longer works.")
    return redirect("accounts:api_tokens")
