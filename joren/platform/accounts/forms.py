"""Forms for signing up, signing in and looking after one's account (Flask-WTF, with CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from joren.platform.i18n import LANGUAGES
from joren.platform.security import is_safe_next

EMAIL_MAX = 320
NAME_MAX = 120
PASSWORD_MIN = 10
PASSWORD_MAX = 200


def _normalize_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email_field(**render_kw: str) -> EmailField:
    return EmailField(
        _l("Email address"),
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("Use at most %(max)d characters.")),
            Email(message=_l("Enter a valid email address, like name@example.com.")),
        ],
        filters=[_normalize_email],
        render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false",
                   "autocapitalize": "none", **render_kw},
    )


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Choose a password.")),
            Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                   message=_l("Use between %(min)d and %(max)d characters.")),
        ],
        description=_l("At least %(min)d characters. A few words you will remember work well.",
                       min=PASSWORD_MIN),
        render_kw={"autocomplete": "new-password", "minlength": PASSWORD_MIN,
                   "maxlength": PASSWORD_MAX},
    )


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in LANGUAGES.items()]


class NextMixin:
    """A hidden ``next``: where to go afterwards, kept only when it stays on this site."""

    next = HiddenField()

    def safe_next(self) -> str | None:
        value = self.next.data  # type: ignore[attr-defined]
        return value if is_safe_next(value) else None


class SignupForm(NextMixin, FlaskForm):
    email = _email_field()
    display_name = StringField(
        _l("Your name"),
        validators=[InputRequired(message=_l("Enter your name.")),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)d characters."))],
        filters=[_strip],
        description=_l("Shown to the organizers and members of your communities."),
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    password = _new_password_field(_l("Password"))
    language = SelectField(_l("Language for pages and emails"), choices=_language_choices)


class LoginForm(NextMixin, FlaskForm):
    email = _email_field(autofocus="autofocus")
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Enter your password.")),
                    Length(max=PASSWORD_MAX, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailOnlyForm(NextMixin, FlaskForm):
    """Magic-link request and forgotten password: just an address."""

    email = _email_field(autofocus="autofocus")


class MagicConfirmForm(FlaskForm):
    remember = BooleanField(_l("Keep me signed in on this device"))


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(message=_l("Enter the new password again.")),
                    EqualTo("password", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[Length(max=PASSWORD_MAX, message=_l("Use at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"},
    )

    def __init__(self, *args: object, needs_current: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.needs_current = needs_current
        if not needs_current:
            del self.current_password

    def validate_current_password(self, field: PasswordField) -> None:
        if self.needs_current and not field.data:
            raise ValidationError(_l("Enter your current password."))


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        validators=[InputRequired(message=_l("Enter your name.")),
                    Length(max=NAME_MAX, message=_l("Use at most %(max)d characters."))],
        filters=[_strip],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    language = SelectField(_l("Language for pages and emails"), choices=_language_choices)
