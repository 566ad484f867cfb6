"""Account security pages: two-factor set-up (scan, confirm), recovery codes, turning it off,
and the household rule that every member uses it."""

import base64
from binascii import unhexlify

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from .. import two_factor
from ..exceptions import InvalidTwoFactorCode, WrongPassword
from ..forms import (
    TwoFactorCodeForm,
    TwoFactorDisableForm,
    TwoFactorRequirementForm,
    TwoFactorSetupForm,
)
from ..roles import allowed_for_viewers
from ..scoping import household_required, login_required, two_factor_exempt

# The secret being set up, until the first code confirms it.
PENDING_KEY = "_colony_totp_pending_key"


def _qr_svg(uri: str) -> str:
    # Inline SVG: no image request, no inline style, so the CSP stays strict.
    return mark_safe(  # noqa: S308 - segno's own markup of our own URI
        segno.make(uri, micro=False).svg_inline(
            scale=5, dark="#1f2933", light="#ffffff", svgclass="qr", title="QR code"
        )
    )


def _grouped_base32(key: str) -> str:
    secret = base64.b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
@two_factor_exempt
def setup(request):
    if two_factor.has_two_factor(request.user):
        messages.info(request, "Two-factor log-in is already on.")
        return redirect("accounts:household")
    key = request.session.get(PENDING_KEY) or two_factor.new_totp_key()
    request.session[PENDING_KEY] = key
    form = TwoFactorSetupForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = two_factor.enable_two_factor(
                    user=request.user, key=key, token=form.cleaned_data["code"]
                )
            except InvalidTwoFactorCode as error:
                form.add_error("code", error.message)
            else:
                del request.session[PENDING_KEY]
                update_session_auth_hash(request, request.user)
                two_factor.mark_verified(request.session)
                return render(
                    request,
                    "accounts/two_factor_codes.html",
                    {"codes": codes, "just_enabled": True},
                )
        status = 422
    uri = two_factor.provisioning_uri(user=request.user, key=key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "qr_svg": _qr_svg(uri), "secret": _grouped_base32(key)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def recovery_codes(request):
    """New recovery codes replace the old ones, after a current code."""
    if not two_factor.has_two_factor(request.user):
        return redirect("accounts:two_factor_setup")
    form = TwoFactorCodeForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.new_recovery_codes(
                user=request.user, token=form.cleaned_data["code"]
            )
        except InvalidTwoFactorCode as error:
            form.add_error("code", error.message)
        else:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    return render(
        request,
        "accounts/two_factor_recovery.html",
        {"form": form, "unused": two_factor.unused_recovery_codes(request.user)},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def disable(request):
    if not two_factor.has_two_factor(request.user):
        return redirect("accounts:household")
    form = TwoFactorDisableForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.disable_two_factor(
                user=request.user,
                password=form.cleaned_data["password"],
                token=form.cleaned_data["code"],
            )
        except WrongPassword as error:
            form.add_error("password", error.message)
        except InvalidTwoFactorCode as error:
            form.add_error("code", error.message)
        else:
            two_factor.mark_turned_off(request.session)
            messages.success(request, "Two-factor log-in is off.")
            return redirect("accounts:household")
    return render(
        request,
        "accounts/two_factor_disable.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@household_required
@require_POST
def household_requirement(request):
    form = TwoFactorRequirementForm(request.POST)
    form.is_valid()
    required = form.cleaned_data.get("required", False)
    two_factor.set_two_factor_requirement(
        household=request.household, by=request.user, required=required
    )
    messages.success(
        request,
        "Every member must now log in with two-factor; those without it are asked to set it up."
        if required
        else "Two-factor log-in is no longer required.",
    )
    return redirect("accounts:household")
