"""The password strength rule: a password must be hard to guess, as zxcvbn estimates it.

A Django password validator (AUTH_PASSWORD_VALIDATORS), so every path that sets a password
checks it: sign-up, password change and reset, the admin's set-password form and the service
behind it, and createsuperuser. zxcvbn runs offline (its dictionaries ship with the package).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's own ceiling: longer input is refused by the library (its matching grows with the
# square of the length). What follows the first 72 characters only makes a password stronger,
# so judging the first 72 never passes a weak one.
ESTIMATED_LENGTH = 72
# zxcvbn's scores: 0 too guessable … 4 very unguessable. 3 is "safely unguessable" (about
# 10^10 guesses), the score zxcvbn's authors suggest as the least for an account password.
DEFAULT_MIN_SCORE = 3


class ZxcvbnPasswordValidator:
    """Refuses a password whose zxcvbn score is below `min_score`, telling why and how to do
    better in zxcvbn's words; the user's email, names and Colony's name count as guessable."""

    def __init__(self, min_score: int = DEFAULT_MIN_SCORE) -> None:
        self.min_score = min_score

    def _user_inputs(self, user) -> list[str]:
        words = ["colony"]
        if user is None:
            return words
        for attribute in ("email", "first_name", "last_name"):
            value = getattr(user, attribute, "") or ""
            words.append(value)
            if attribute == "email":
                words.extend(part for part in value.replace("@", ".").split(".") if part)
        return [word for word in words if word]

    def validate(self, password: str, user=None) -> None:
        result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=self._user_inputs(user))
        if result["score"] >= self.min_score:
            return
        feedback = result["feedback"]
        hints = [feedback["warning"], *feedback["suggestions"]] if feedback else []
        detail = " ".join(hint for hint in hints if hint)
        raise ValidationError(
            "This password is too easy to guess."
            + (f" {detail}" if detail else " Use a few uncommon words together."),
            code="password_too_weak",
        )

    def get_help_text(self) -> str:
        return (
            "Your password must be hard to guess: a few uncommon words together work well; "
            "avoid your name, your email and common passwords."
        )
