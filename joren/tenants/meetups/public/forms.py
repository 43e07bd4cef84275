"""The console's picture upload and public-contact forms, and the messages for refused
pictures."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import EmailField, StringField
from wtforms.validators import URL, Email, Length, Optional, ValidationError

IMAGE_ERRORS = {
    "empty": _l("Choose a picture to upload."),
    "too_large": _l("The picture is larger than %(megabytes)s MB. Choose a smaller one."),
    "not_image": _l("This file is not a JPEG, PNG or WebP picture. Choose a photo or an "
                    "image saved in one of those formats."),
    "too_small": _l("The picture is too small: it needs at least 200 pixels on each side."),
    "too_many_pixels": _l("The picture has too many pixels (over 40 megapixels). Choose a "
                          "smaller one."),
    "storage": _l("The picture could not be saved just now. Please try again in a moment."),
}


def image_error(code: str, max_bytes: int) -> str:
    return str(IMAGE_ERRORS.get(code, IMAGE_ERRORS["not_image"])) % {
        "megabytes": max_bytes // (1024 * 1024)}


class ImageForm(FlaskForm):
    image = FileField(_l("Picture"), description=_l(
        "JPEG, PNG or WebP. Shown on the public page and on the card a shared link shows "
        "(LINE, X, Facebook); a wide picture (1200 × 630) fits best."))


class ContactForm(FlaskForm):
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=120)],
                               description=_l("A person or a role, e.g. 事務局 山田"))
    contact_email = EmailField(_l("Contact email"),
                               validators=[Optional(), Length(max=254), Email(
                                   message=_l("Enter a valid email address."))])
    contact_url = StringField(_l("Contact page (URL)"), validators=[
        Optional(), Length(max=500),
        URL(require_tld=False, message=_l("Enter an address starting with https://"))],
        description=_l("A contact form, a LINE official account or your website."))

    def validate_contact_url(self, field: StringField) -> None:
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter an address starting with https://"))
