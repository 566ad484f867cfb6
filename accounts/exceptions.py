from colony.errors import Conflict, DomainError, NotFound, Unprocessable


class InviteInvalid(NotFound):
    code = "INVITE_INVALID"
    message = "This invite link is not valid. Ask for a new one."


class InviteExpired(DomainError):
    code = "INVITE_EXPIRED"
    message = "This invite link has expired. Ask the household owner for a new one."
    status = 410


class InviteAlreadyUsed(Conflict):
    code = "INVITE_ALREADY_USED"
    message = "This invite link has already been used."


class InviteEmailMismatch(DomainError):
    code = "INVITE_EMAIL_MISMATCH"
    message = "This invite was sent to another email address."
    status = 403


class NotHouseholdOwner(DomainError):
    code = "NOT_HOUSEHOLD_OWNER"
    message = "Only an owner of the household can do this."
    status = 403


class LastOwnerCannotLeave(Conflict):
    code = "LAST_OWNER_CANNOT_LEAVE"
    message = "The last owner cannot leave the household. Make another member an owner first."


class AlreadyMember(Conflict):
    code = "ALREADY_MEMBER"
    message = "You already belong to this household."


class TooManyInviteEmails(DomainError):
    code = "TOO_MANY_INVITE_EMAILS"
    status = 429

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Colony has emailed {limit} invites for this household in the last hour. Try again "
            "later, or untick “Email the link to them” and send the link yourself."
        )


class MemberGone(Conflict):
    code = "MEMBER_GONE"
    message = "This person is no longer in the household."


class MemberAlreadyInvited(Conflict):
    code = "MEMBER_ALREADY_EXISTS"
    message = "Someone with this email address already belongs to the household."


class OwnerMustHandOver(Conflict):
    code = "OWNER_MUST_HAND_OVER"
    message = (
        "You are the household's only owner. Make another member an owner, or delete the "
        "household, before deleting your account."
    )


class ReadOnlyRole(DomainError):
    code = "READ_ONLY_ROLE"
    message = (
        "You can see this household but not change it: your role is viewer. "
        "Ask an owner if you need to make changes."
    )
    status = 403


class AlreadyOwner(Conflict):
    code = "ALREADY_OWNER"
    message = "This member is already an owner."


class InvalidTwoFactorCode(DomainError):
    code = "INVALID_TWO_FACTOR_CODE"
    message = "That code is not right. Type the 6 digits your app shows now, or a recovery code."
    status = 422


class TwoFactorRequiredByHousehold(Conflict):
    code = "TWO_FACTOR_REQUIRED"
    message = (
        "Your household requires two-factor log-in, so it cannot be turned off. "
        "Ask an owner to lift the requirement first."
    )


class WrongPassword(DomainError):
    code = "WRONG_PASSWORD"
    message = "That is not your password."


class NotHouseholdMember(DomainError):
    code = "NOT_HOUSEHOLD_MEMBER"
    message = "Join or set up a household first."
    status = 403


class ApiTokenNotFound(NotFound):
    code = "API_TOKEN_NOT_FOUND"
    message = "This API token does not exist."


class TokenExpiryInvalid(DomainError):
    code = "TOKEN_EXPIRY_INVALID"
    message = "A token expires after 1 to 365 days."
    status = 422


class UnknownFormat(Unprocessable):
    code = "UNKNOWN_FORMAT"
    message = "Choose one of the number and date formats offered."
    field = "format_locale"


class OnlyMemberCannotLeave(Conflict):
    code = "ONLY_MEMBER_CANNOT_LEAVE"
    message = (
        "You are the household's only member: leaving would delete it with all its cycles and "
        "expenses. To do that, use “Delete the household”, which asks for its name."
    )


class EmailAlreadyRegistered(Unprocessable):
    code = "EMAIL_ALREADY_REGISTERED"
    message = "An account with this email already exists. Log in instead."
    field = "email"


class TwoFactorSetupRequired(DomainError):
    code = "TWO_FACTOR_SETUP_REQUIRED"
    message = "Your household requires two-factor log-in: set it up in Colony first."
    status = 403


class PasswordTooWeak(Unprocessable):
    """A password the validators (AUTH_PASSWORD_VALIDATORS) refuse; the message says why."""

    code = "PASSWORD_TOO_WEAK"
    field = "password"
