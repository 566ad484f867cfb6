from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from colony.errors import api_error_response, is_api_request
from colony.htmx import page_or_partial, partial_or_redirect, redirect_after_write
from colony.mail import email_enabled
from formats.currencies import region_currency

from .. import selectors, services, two_factor
from ..exceptions import InvalidTwoFactorCode
from ..forms import (
    HouseholdDeleteForm,
    HouseholdForm,
    HouseholdFormatForm,
    HouseholdNameForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    PasswordConfirmForm,
    PasswordResetRequestForm,
    SignUpForm,
    TwoFactorCodeForm,
)
from ..models import Membership, User
from ..roles import allowed_for_viewers
from ..scoping import (
    get_for_household,
    household_required,
    login_required,
    two_factor_exempt,
)

MODEL_BACKEND = "accounts.backends.HouseholdModelBackend"
# Who passed the password step and still owes a code (see login_code).
PENDING_LOGIN = "_colony_two_factor_pending"


def _safe_next(request, fallback="dashboard") -> str:
    """The ?next= path to go to after log-in when it is a path on this site, else `fallback`.

    Only an absolute path counts: anything else could be taken for a URL pattern's name by
    redirect() or be relative to the log-in page.
    """
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(fallback)


def _region_currency(request) -> str:
    """The base currency a new household is offered: that of the browser's region."""
    return region_currency(request.headers.get("Accept-Language")) or settings.DEFAULT_BASE_CURRENCY


def _register(invite, token, data, *, format_locale):
    if invite:
        return services.register_user_from_invite(
            token=token,
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
    return services.register_user(
        email=data["email"],
        password=data["password1"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        household_name=data.get("household_name", ""),
        base_currency=data["base_currency"],
        # The browser's language (FormatLocaleMiddleware) until an owner changes it.
        format_locale=format_locale,
    )


def _sign_up(request, data):
    reset = reverse("accounts:password_reset") if settings.PASSWORD_RESET_BY_EMAIL else None
    return services.sign_up(
        email=data["email"],
        password=data["password1"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        household_name=data.get("household_name", ""),
        base_currency=data["base_currency"],
        format_locale=request.format_locale,
        log_in_link=request.build_absolute_uri(reverse("accounts:login")),
        reset_link=request.build_absolute_uri(reset) if reset else None,
    )


@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def signup(request):
    token = request.GET.get("invite") or request.POST.get("invite") or ""
    invite = services.get_invite_for_token(token) if token else None
    if request.user.is_authenticated and invite is None:
        return redirect("dashboard")
    joining = invite.household if invite else None
    # With email, the answer is the same for a new and a taken address (the owner of a taken
    # one is emailed); an invite's link already names its address.
    uniform = invite is None and email_enabled()
    if request.method == "POST":
        form = SignUpForm(
            request.POST,
            joining_household=joining,
            initial={"email": invite.email} if invite else None,
            check_taken_email=not uniform,
        )
        if form.is_valid() and uniform:
            _sign_up(request, form.cleaned_data)
            messages.info(
                request,
                "We sent an email to that address. Once your account is ready, log in here "
                "with your email and password.",
            )
            return redirect("accounts:login")
        if form.is_valid():
            try:
                user = _register(
                    invite, token, form.cleaned_data, format_locale=request.format_locale
                )
            except services.EmailAlreadyRegistered as error:
                # Another sign-up with this email was saved between the form's check and ours.
                form.add_error("email", error.message)
            else:
                if invite:
                    messages.success(request, f"Welcome to {invite.household.name}!")
                else:
                    messages.success(request, "Your household is ready. Welcome to Colony!")
                auth_login(request, user, backend=MODEL_BACKEND)
                return redirect("dashboard")
        status = 422
    else:
        form = SignUpForm(
            joining_household=joining,
            initial={"email": invite.email}
            if invite
            else {"base_currency": _region_currency(request)},
        )
        status = 200
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "invite": invite, "invite_token": token},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def login_view(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if two_factor.has_two_factor(user):
                # The password alone logs nobody in: the code step finishes the log-in.
                return _ask_for_code(request, user)
            auth_login(request, user)
            return HttpResponseRedirect(_safe_next(request))
        status = 422
    else:
        status = 200
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )


def _ask_for_code(request, user):
    request.session.cycle_key()
    request.session[PENDING_LOGIN] = two_factor.pending_login(user)
    next_url = _safe_next(request)
    return redirect(f"{reverse('accounts:login_code')}?{urlencode({'next': next_url})}")


@require_http_methods(["GET", "POST"])
@allowed_for_viewers
@two_factor_exempt
def login_code(request):
    """The second log-in step: a code from the authenticator app or a recovery code. Wrong
    codes count as failed log-ins for the account, so axes throttles them like passwords."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_safe_next(request))
    user = two_factor.pending_login_user(request.session.get(PENDING_LOGIN))
    if user is None:
        request.session.pop(PENDING_LOGIN, None)
        messages.info(request, "Log in again: the code step waited too long.")
        return redirect("accounts:login")
    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_LOGIN, None)
        return locked_out(request)
    form = TwoFactorCodeForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and two_factor.verify_second_factor(
            user=user, token=form.cleaned_data["code"]
        ):
            backend = request.session.pop(PENDING_LOGIN)["backend"]
            auth_login(request, user, backend=backend)
            two_factor.mark_verified(request.session)
            return HttpResponseRedirect(_safe_next(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if form.is_valid():
            form.add_error("code", InvalidTwoFactorCode.message)
        status = 422
    return render(
        request,
        "accounts/login_code.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=status,
    )


def locked_out(request, original_response=None, credentials=None):
    """Shown by django-axes instead of checking the password once too many attempts failed
    (for the API's token endpoint: the API's error envelope, with Retry-After).

    The form is shown unbound: binding it would validate it, which authenticates again and
    records one more failure for the same attempt.
    """
    if is_api_request(request):
        response = api_error_response(
            code="TOO_MANY_ATTEMPTS",
            message="Too many failed attempts. Try again later.",
            status=429,
        )
        response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
    form = LoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "locked_out": True,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=429,
    )


@require_POST
@allowed_for_viewers
@two_factor_exempt
def logout_view(request):
    auth_logout(request)
    return redirect_after_write(
        request, "accounts:login", message="You are logged out.", level=messages.INFO
    )


def _password_reset_off(request):
    return render(request, "accounts/password_reset_off.html", status=404)


@method_decorator(allowed_for_viewers, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the email has an account;
    requests are limited per email and address (quietly) and per client address (429)."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def dispatch(self, request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            return _password_reset_off(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        decision = services.record_password_reset_request(
            email=form.cleaned_data["email"], client_address=get_client_ip_address(self.request)
        )
        if decision is services.ResetDecision.REFUSE:
            return render(
                self.request,
                "accounts/password_reset.html",
                {"form": form, "throttled": True},
                status=429,
            )
        if decision is services.ResetDecision.QUIET:
            return redirect(self.success_url)
        return super().form_valid(form)


@method_decorator(allowed_for_viewers, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            valid_minutes=settings.PASSWORD_RESET_TIMEOUT // 60, **kwargs
        )


@method_decorator(allowed_for_viewers, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the email: single use (the token covers the password hash), expiring
    after PASSWORD_RESET_TIMEOUT; saving ends every session and lifts the lock-out."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


@method_decorator(allowed_for_viewers, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def password_change(request):
    form = PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            user = services.change_password(
                user=request.user, password=form.cleaned_data["new_password1"]
            )
            update_session_auth_hash(request, user)
            return redirect_after_write(
                request, "accounts:household", message="Your password was changed."
            )
        status = 422
    else:
        status = 200
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def household_setup(request):
    if request.household is not None:
        return redirect("dashboard")
    form = HouseholdForm(
        data=request.POST or None, initial={"base_currency": _region_currency(request)}
    )
    if request.method == "POST" and form.is_valid():
        services.create_household(
            owner=request.user,
            name=form.cleaned_data["name"],
            base_currency=form.cleaned_data["base_currency"],
            format_locale=request.format_locale,
        )
        return redirect_after_write(request, "dashboard", message="Your household is ready.")
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/household_setup.html", {"form": form}, status=status)


def _household_context(request, **extra):
    household = request.household
    return {
        "members": selectors.household_members(household),
        "invites": selectors.pending_invites(household),
        "is_owner": request.membership.is_owner,
        "roles": Membership.Role.choices,
        "invite_form": InviteForm(),
        "email_enabled": email_enabled(),
        "rename_form": HouseholdNameForm(initial={"name": household.name}),
        "format_form": HouseholdFormatForm(initial={"format_locale": household.format_locale}),
        **extra,
    }


@household_required
def household(request):
    return render(request, "accounts/household.html", _household_context(request))


@household_required
@require_POST
def household_rename(request):
    form = HouseholdNameForm(request.POST)
    if form.is_valid():
        services.rename_household(
            household=request.household, by=request.user, name=form.cleaned_data["name"]
        )
        return redirect_after_write(request, "accounts:household", message="Household renamed.")
    return render(
        request,
        "accounts/household.html",
        _household_context(request, rename_form=form),
        status=422,
    )


@household_required
@require_POST
def household_formats(request):
    form = HouseholdFormatForm(request.POST)
    if form.is_valid():
        services.set_format_locale(
            household=request.household,
            by=request.user,
            format_locale=form.cleaned_data["format_locale"],
        )
        messages.success(request, "Numbers and dates now use the chosen format.")
        return redirect("accounts:household")
    return render(
        request,
        "accounts/household.html",
        _household_context(request, format_form=form),
        status=422,
    )


@household_required
@require_POST
def invite_create(request):
    form = InviteForm(request.POST)
    if not form.is_valid():
        return page_or_partial(
            request,
            page="accounts/household.html",
            partial="accounts/partials/_invites.html",
            context=_household_context(request, invite_form=form),
            status=422,
        )
    to_be_emailed = bool(form.cleaned_data.get("send_email"))
    invite, token = services.create_invite(
        household=request.household,
        invited_by=request.user,
        email=form.cleaned_data["email"],
        to_be_emailed=to_be_emailed,
    )
    link = request.build_absolute_uri(reverse("accounts:invite_accept", args=[token]))
    delivery = services.send_invite_email(invite=invite, link=link) if to_be_emailed else None
    sent = {
        services.InviteDelivery.SENT: f"Colony emailed the link to {invite.email}.",
        services.InviteDelivery.WRITTEN_ONLY: (
            "No email was sent: this server has no mail server set up (EMAIL_URL) and only "
            "printed it in its log. Send them the link yourself."
        ),
        services.InviteDelivery.FAILED: (
            f"The email to {invite.email} could not be sent; send them the link yourself."
        ),
        None: "Send them this link yourself.",
    }[delivery]
    return partial_or_redirect(
        request,
        "accounts/partials/_invites.html",
        lambda: _household_context(
            request,
            new_invite=invite,
            new_invite_link=link,
            new_invite_delivery=delivery.value if delivery else "not-asked",
        ),
        to="accounts:household",
        message=f"Invite for {invite.email} created. {sent} The link (shown once, valid until "
        f"{invite.expires_at:%Y-%m-%d}): {link}",
    )


@household_required
@require_POST
def invite_revoke(request, pk):
    invite = get_for_household(
        selectors.pending_invites(request.household), request.household, pk=pk
    )
    services.revoke_invite(invite=invite, by=request.user)
    return partial_or_redirect(
        request,
        "accounts/partials/_invites.html",
        lambda: _household_context(request),
        to="accounts:household",
        message=f"Invite for {invite.email} withdrawn.",
    )


@household_required
@require_POST
def member_remove(request, pk):
    membership = get_for_household(
        Membership.objects.select_related("user"), request.household, pk=pk
    )
    services.remove_member(household=request.household, by=request.user, membership=membership)
    if membership.user_id == request.user.pk:
        return redirect_after_write(
            request,
            "accounts:household_setup",
            message="You left the household.",
            level=messages.INFO,
        )
    return redirect_after_write(
        request,
        "accounts:household",
        message=f"{membership.user.display_name} was removed from the household.",
    )


@household_required
@require_POST
def member_role(request, pk):
    membership = get_for_household(
        Membership.objects.select_related("user"), request.household, pk=pk
    )
    role = request.POST.get("role", "")
    if role not in Membership.Role.values:
        return redirect_after_write(
            request,
            "accounts:household",
            message="Choose owner, member or viewer.",
            level=messages.ERROR,
        )
    services.change_member_role(
        household=request.household, by=request.user, membership=membership, role=role
    )
    role_name = membership.get_role_display().lower()
    return redirect_after_write(
        request,
        "accounts:household",
        message=f"{membership.user.display_name} is now {role_name}.",
    )


@household_required
@require_POST
def ownership_transfer(request, pk):
    membership = get_for_household(
        Membership.objects.select_related("user"), request.household, pk=pk
    )
    services.transfer_ownership(household=request.household, by=request.user, membership=membership)
    return redirect_after_write(
        request,
        "accounts:household",
        message=f"{membership.user.display_name} is now an owner of the household; "
        "you are a member.",
    )


@household_required
@require_POST
@allowed_for_viewers
def household_leave(request):
    services.leave_household(user=request.user)
    return redirect_after_write(
        request, "accounts:household_setup", message="You left the household.", level=messages.INFO
    )


@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def invite_accept(request, token):
    invite = services.get_invite_for_token(token)
    if not request.user.is_authenticated:
        return render(request, "accounts/invite_accept.html", {"invite": invite, "token": token})
    if request.method == "POST":
        household = services.accept_invite(token=token, user=request.user)
        return redirect_after_write(request, "dashboard", message=f"You joined {household.name}.")
    current = request.household
    leaving_deletes = current is not None and current.memberships.count() == 1
    return render(
        request,
        "accounts/invite_accept.html",
        {
            "invite": invite,
            "token": token,
            "current_household": current,
            "leaving_deletes": leaving_deletes,
            "email_matches": invite.email.lower() == request.user.email.lower(),
        },
    )


@login_required
@require_POST
@allowed_for_viewers
def theme(request):
    """Switch light/dark colours; remembered per user. HTMX gets 204 (the page already changed
    its colours), a plain form post goes back where it came from."""
    theme = request.POST.get("theme", "")
    if theme not in User.Theme.values:
        return HttpResponse("Choose auto, light or dark.", status=422)
    services.set_theme(user=request.user, theme=theme)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(_safe_next(request))


@login_required
@require_POST
@allowed_for_viewers
def sessions_end_others(request):
    user = services.end_other_sessions(user=request.user)
    update_session_auth_hash(request, user)
    return redirect_after_write(
        request,
        "accounts:household" if request.household else "accounts:household_setup",
        message="You are signed out everywhere else; this session stays open.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@allowed_for_viewers
def account_delete(request):
    form = PasswordConfirmForm(data=request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        auth_logout(request)
        return redirect_after_write(
            request, "accounts:login", message="Your account was deleted.", level=messages.INFO
        )
    household = request.household
    alone = household is not None and household.memberships.count() == 1
    return render(
        request,
        "accounts/account_delete.html",
        {"form": form, "alone": alone},
        status=422 if request.method == "POST" else 200,
    )


@household_required
@require_http_methods(["GET", "POST"])
def household_delete(request):
    household = request.household
    if not request.membership.is_owner:
        raise services.NotHouseholdOwner()
    form = HouseholdDeleteForm(data=request.POST or None, household=household)
    if request.method == "POST" and form.is_valid():
        services.delete_household(household=household, by=request.user)
        return redirect_after_write(
            request,
            "accounts:household_setup",
            message=f"{household.name} and all its data were deleted.",
            level=messages.INFO,
        )
    return render(
        request,
        "accounts/household_delete.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )
