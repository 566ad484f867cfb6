from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from colony.mail import email_enabled, send_templated_mail_after_response
from formats.currencies import CURRENCY_CHOICES
from formats.locales import locale_choices

from . import services
from .models import Household, User


class _ShowsAtMostMaxLength:
    """A text widget that shows back at most its field's max_length of what was typed: a longer
    value is refused with a field error and must not be echoed whole (an 880 KB name would
    make an 880 KB page)."""

    def format_value(self, value):
        value = super().format_value(value)
        limit = self.attrs.get("maxlength")
        if value is not None and limit is not None:
            return value[: int(limit)]
        return value


class BoundedTextInput(_ShowsAtMostMaxLength, forms.TextInput):
    pass


class BoundedEmailInput(_ShowsAtMostMaxLength, forms.EmailInput):
    pass


class TextField(forms.CharField):
    """A one-line text field; give it the model column's max_length."""

    widget = BoundedTextInput


class EmailField(forms.EmailField):
    widget = BoundedEmailInput

    def __init__(self, *, max_length=254, **kwargs):
        # 254: the longest address SMTP carries, and User.email's column.
        super().__init__(max_length=max_length, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value.lower() if value else value


class SignUpForm(forms.Form):
    # The lengths of User's and Household's columns.
    first_name = TextField(max_length=150)
    last_name = TextField(max_length=150, required=False)
    email = EmailField()
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    household_name = TextField(
        max_length=100,
        required=False,
        help_text="Leave empty to name it after you, like “Grace’s household”.",
    )
    base_currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")

    def __init__(self, *args, joining_household=None, check_taken_email=True, **kwargs):
        super().__init__(*args, **kwargs)
        # Off when the answer must not reveal whether an address has an account (the service
        # emails its owner instead).
        self.check_taken_email = check_taken_email
        if joining_household is not None:
            # Someone joining through an invite takes the inviting household as it is, and the
            # address the invite is for: another one could not accept it.
            del self.fields["household_name"]
            del self.fields["base_currency"]
            self.fields["email"].disabled = True
            self.fields["email"].help_text = "The address this invite is for."

    def clean_email(self):
        email = self.cleaned_data["email"]
        if self.check_taken_email and User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in instead."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=BoundedEmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong email or password.",
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class HouseholdForm(forms.ModelForm):
    base_currency = forms.ChoiceField(choices=CURRENCY_CHOICES)

    class Meta:
        model = Household
        fields = ["name", "base_currency"]
        widgets = {"name": BoundedTextInput}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the household a name.")
        return name


class HouseholdNameForm(forms.Form):
    name = TextField(max_length=100)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the household a name.")
        return name


class HouseholdFormatForm(forms.Form):
    format_locale = forms.ChoiceField(
        label="Numbers and dates",
        choices=locale_choices,
        help_text="How amounts and dates are shown and typed, for everyone in the household.",
    )


class InviteForm(forms.Form):
    email = EmailField(help_text="Only this address can use the link.")
    send_email = forms.BooleanField(label="Email the link to them", required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not email_enabled():
            # This server sends no email: the owner copies the link.
            del self.fields["send_email"]


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, sending the plain-text + HTML email through colony.mail."""

    email = EmailField(label="Email", widget=BoundedEmailInput(attrs={"autocomplete": "email"}))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        context["valid_minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        # After the response: answering must take as long for an unknown address.
        send_templated_mail_after_response(
            template="password_reset", context=context, to=[to_email]
        )


class NewPasswordForm(SetPasswordForm):
    """Django's set-password form; saving goes through accounts.services.reset_password."""

    def save(self, commit=True):
        return services.reset_password(user=self.user, password=self.cleaned_data["new_password1"])


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class HouseholdDeleteForm(forms.Form):
    confirm_name = TextField(label="Type the household's name to confirm", max_length=100)

    def __init__(self, *args, household, **kwargs):
        self.household = household
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.household.name:
            raise forms.ValidationError("The name does not match.")
        return typed


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=BoundedTextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        widget=BoundedTextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class TwoFactorDisableForm(TwoFactorCodeForm):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "code"]


class TwoFactorRequirementForm(forms.Form):
    required = forms.BooleanField(label="Every member must log in with two-factor", required=False)


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")]
    ACCESS_CHOICES = [("read", "Read only"), ("write", "Read and write")]

    name = TextField(
        max_length=100, help_text="What uses it, e.g. “Home Assistant” or “budget script”."
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )
    access = forms.ChoiceField(choices=ACCESS_CHOICES, initial="read", widget=forms.RadioSelect)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name
