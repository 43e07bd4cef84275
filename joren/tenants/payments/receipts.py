"""Receipts (領収書) as a page and a PDF.

Tax decision (documented for organizers and accountants): meetup fees and dues are treated as
tax-inclusive amounts at the standard 10% rate. When the organizer has a qualified-invoice
registration number (適格請求書発行事業者登録番号), the receipt is a simplified qualified
invoice (適格簡易請求書): it shows the registration number, "税率10%対象" with the tax-included
amount, and the consumption tax contained in it, computed once per receipt as
``floor(amount * 10 / 110)`` (rounded down, 端数切捨て). Without a number it is a plain receipt
with no tax breakdown.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A5, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from joren.platform.identity.community import Community
from joren.platform.mail.outbox import Attachment
from joren.platform.templating import yen
from joren.tenants.payments.models import Payment, PaymentKind, PaymentSettings, PaymentStatus

TAX_RATE_PERCENT = 10
# A receipt's addressee (宛名): a person takes 様, a company or a department 御中.
HONORIFICS = ("sama", "onchu")
ADDRESSEE_LIMIT = 200


class AddresseeError(ValueError):
    """An addressee that cannot be put on a receipt; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def set_addressee(payment: Payment, name: str, honorific: str) -> None:
    """Put ``name`` (a company, say) with its honorific on the payment's receipt; an empty
    name goes back to the member's own name, with 様."""
    name = " ".join((name or "").split())
    if honorific not in HONORIFICS:
        raise AddresseeError("honorific")
    if len(name) > ADDRESSEE_LIMIT:
        raise AddresseeError("long")
    payment.receipt_addressee = name
    payment.receipt_honorific = honorific if name else "sama"
JAPANESE_FONT = "HeiseiKakuGo-W5"


def tax_included(amount: int) -> int:
    """Consumption tax contained in a 10%-inclusive JPY amount, rounded down."""
    return amount * TAX_RATE_PERCENT // (100 + TAX_RATE_PERCENT)


@dataclass(frozen=True)
class Receipt:
    number: str
    paid_on: date
    community_name: str
    issuer_name: str
    issuer_address: str
    registration_number: str
    recipient: str
    amount: int
    tax: int
    description: str
    is_void: bool
    voided_on: date | None
    # 様 (a person) or 御中 (a company or a department): see ``HONORIFICS``.
    honorific: str = "sama"

    @property
    def is_qualified(self) -> bool:
        return bool(self.registration_number)


def build(payment: Payment, community: Community, settings: PaymentSettings) -> Receipt:
    """The receipt of a paid (or since undone) payment, in the community's timezone and the
    current language. ``payment.meetup`` and ``payment.member`` must be loadable."""
    zone = community.zone
    paid_at = payment.paid_at or payment.created_at
    if payment.kind == PaymentKind.MEETUP_FEE and payment.meetup is not None:
        starts = payment.meetup.starts_at.astimezone(zone)
        description = _("%(title)s on %(date)s", title=payment.meetup.title,
                        date=format_date(starts.date(), "long"))
    elif payment.period_start is not None and payment.period_end is not None:
        description = _("Membership dues for %(start)s – %(end)s",
                        start=format_date(payment.period_start, "long"),
                        end=format_date(payment.period_end, "long"))
    else:
        description = _("Membership dues")
    number = settings.registration_number
    return Receipt(
        number=payment.receipt_number or "",
        paid_on=paid_at.astimezone(zone).date(),
        community_name=community.name,
        issuer_name=settings.issuer_name or community.name,
        issuer_address=settings.issuer_address,
        registration_number=number,
        recipient=payment.receipt_addressee or payment.member.display_name,
        honorific=payment.receipt_honorific if payment.receipt_addressee else "sama",
        amount=payment.amount_jpy,
        tax=tax_included(payment.amount_jpy) if number else 0,
        description=description,
        is_void=payment.status == PaymentStatus.REFUNDED,
        voided_on=payment.refunded_at.astimezone(zone).date() if payment.refunded_at else None,
    )


def lines(receipt: Receipt) -> dict[str, str]:
    """Every text of a receipt in the current language, shared by the page and the PDF."""
    texts = {
        "title": _("Receipt"),
        "number": _("Receipt number: %(number)s", number=receipt.number),
        "date": _("Date: %(date)s", date=format_date(receipt.paid_on, "long")),
        "recipient": (_("Made out to: %(name)s", name=receipt.recipient)
                      if receipt.honorific == "onchu"
                      else _("To: %(name)s", name=receipt.recipient)),
        "amount": yen(receipt.amount),
        "for": _("For: %(description)s", description=receipt.description),
        "received": _("Received with thanks."),
        "issuer": _("Issuer"),
        "issuer_name": receipt.issuer_name,
        "community": receipt.community_name,
        "address": receipt.issuer_address,
    }
    if receipt.is_qualified:
        texts["registration"] = _("Registration number: %(number)s",
                                  number=receipt.registration_number)
        texts["tax"] = _("Subject to the 10%% rate: %(amount)s (consumption tax %(tax)s)",
                         amount=yen(receipt.amount), tax=yen(receipt.tax))
    if receipt.is_void:
        texts["void"] = _("This receipt was cancelled on %(date)s.",
                          date=format_date(receipt.voided_on, "long") if receipt.voided_on
                          else "")
    return texts


def _font() -> str:
    if JAPANESE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(JAPANESE_FONT))
    return JAPANESE_FONT


def pdf(receipt: Receipt, *, compress: bool = True) -> bytes:
    """An A5 landscape PDF with reportlab's built-in Japanese CID font (no font file)."""
    texts = lines(receipt)
    font = _font()
    buffer = io.BytesIO()
    width, height = landscape(A5)
    page = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1 if compress else 0)
    page.setTitle(f"{texts['title']} {receipt.number}")
    page.setAuthor(receipt.issuer_name)
    page.setSubject(receipt.number)
    margin = 40
    page.setFont(font, 22)
    page.drawCentredString(width / 2, height - 60, texts["title"])
    page.setFont(font, 9)
    page.drawRightString(width - margin, height - 40, texts["number"])
    page.drawRightString(width - margin, height - 54, texts["date"])
    page.setFont(font, 14)
    page.drawString(margin, height - 100, texts["recipient"])
    page.line(margin, height - 104, width / 2 + 40, height - 104)
    page.setFont(font, 24)
    page.drawCentredString(width / 2, height - 150, texts["amount"])
    page.line(width / 2 - 120, height - 156, width / 2 + 120, height - 156)
    page.setFont(font, 10)
    y = height - 185
    for key in ("for", "tax", "received"):
        for line in simpleSplit(texts.get(key, ""), font, 10, width - 2 * margin):
            page.drawString(margin, y, line)
            y -= 14
    y = 120
    column = width / 2 - margin
    for key in ("issuer", "issuer_name", "community", "address", "registration"):
        value = texts.get(key)
        if value and not (key == "community" and value == texts["issuer_name"]):
            for line in simpleSplit(value, font, 10, column)[:3]:
                page.drawString(width / 2, y, line)
                y -= 13
    if "void" in texts:
        page.setFont(font, 12)
        page.setFillColorRGB(0.8, 0, 0)
        page.drawString(margin, 60, texts["void"])
    page.showPage()
    page.save()
    return buffer.getvalue()


def attachment(payment: Payment, community: Community, settings: PaymentSettings,
               language: str) -> Attachment:
    """The receipt as a PDF attached to an email, in the recipient's language (guests, who
    cannot sign in to open the receipt page, keep it this way)."""
    with force_locale(language):
        content = pdf(build(payment, community, settings))
    return Attachment(filename=f"receipt-{payment.receipt_number}.pdf",
                      content_type="application/pdf", content=content)
