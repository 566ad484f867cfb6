from django.urls import path

from . import views
from .views import security, tokens

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("theme/", views.theme, name="theme"),
    path("password/", views.password_change, name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("delete/", views.account_delete, name="account_delete"),
    path("household/delete/", views.household_delete, name="household_delete"),
    path("household/", views.household, name="household"),
    path("household/setup/", views.household_setup, name="household_setup"),
    path("household/formats/", views.household_formats, name="household_formats"),
    path("household/rename/", views.household_rename, name="household_rename"),
    path("household/leave/", views.household_leave, name="household_leave"),
    path("household/invites/", views.invite_create, name="invite_create"),
    path("household/invites/<int:pk>/revoke/", views.invite_revoke, name="invite_revoke"),
    path("household/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("household/members/<int:pk>/role/", views.member_role, name="member_role"),
    path(
        "household/members/<int:pk>/transfer-ownership/",
        views.ownership_transfer,
        name="ownership_transfer",
    ),
    path("two-factor/", security.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", security.recovery_codes, name="two_factor_recovery"),
    path("two-factor/disable/", security.disable, name="two_factor_disable"),
    path(
        "household/two-factor/",
        security.household_requirement,
        name="household_two_factor",
    ),
    path("api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path("invite/<str:token>/", views.invite_accept, name="invite_accept"),
]
