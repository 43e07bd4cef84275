"""Pictures and the public contact: storing, replacing and finding them for a page."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import literal, or_, select, true
from sqlalchemy.orm import Session

from joren.platform.storage import Storage, StorageError
from joren.tenants.meetups.models import Meetup, MeetupSeries
from joren.tenants.meetups.public.images import PreparedImage
from joren.tenants.meetups.public.models import EventImage, PublicContact

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Owner:
    """What a picture belongs to: one series or one meetup."""

    kind: str  # "series" or "meetup"
    id: int

    @classmethod
    def of(cls, thing: Meetup | MeetupSeries) -> Owner:
        return cls("series" if isinstance(thing, MeetupSeries) else "meetup", thing.id)

    def where(self) -> object:
        column = EventImage.series_id if self.kind == "series" else EventImage.meetup_id
        return column == self.id


def tenant_prefix(tenant_id: int) -> str:
    return f"t{tenant_id}/"


def belongs_to(image: EventImage, tenant_id: int) -> bool:
    """The stored key is the community's own (a second check beside the scoped row)."""
    return image.tenant_id == tenant_id and image.storage_key.startswith(tenant_prefix(tenant_id))


def new_key(tenant_id: int, owner: Owner, extension: str) -> str:
    token = secrets.token_urlsafe(9)
    return f"{tenant_prefix(tenant_id)}{owner.kind}-{owner.id}-{token}.{extension}"


def image_of(session: Session, owner: Owner) -> EventImage | None:
    return session.scalar(select(EventImage).where(owner.where()))


def replace_image(session: Session, store: Storage, tenant_id: int, owner: Owner,
                  prepared: PreparedImage) -> tuple[EventImage, str | None]:
    """Store ``prepared`` as the owner's picture; returns the row and the key of the picture it
    replaced, which the caller deletes from the storage once the transaction has committed.

    Raises StorageError when the storage refuses the file (nothing in the database changes).
    """
    key = new_key(tenant_id, owner, prepared.extension)
    store.put(key, prepared.data, prepared.content_type)
    image = image_of(session, owner)
    old_key = image.storage_key if image is not None else None
    if image is None:
        image = EventImage(series_id=owner.id if owner.kind == "series" else None,
                           meetup_id=owner.id if owner.kind == "meetup" else None)
        session.add(image)
    image.storage_key = key
    image.content_type = prepared.content_type
    image.width, image.height = prepared.width, prepared.height
    image.byte_size = len(prepared.data)
    session.flush()
    return image, old_key


def remove_image(session: Session, owner: Owner) -> str | None:
    """Forget the owner's picture; returns its key to delete from the storage after commit."""
    image = image_of(session, owner)
    if image is None:
        return None
    key = image.storage_key
    session.delete(image)
    session.flush()
    return key


def discard(store: Storage, key: str | None) -> None:
    """Delete a file no row points to any more; a failure leaves an orphan, never an error."""
    if key:
        try:
            store.delete(key)
        except StorageError as exc:
            log.warning("picture %s left in the storage: %s", key, exc)


@dataclass(frozen=True)
class PictureRef:
    """Enough of a picture to link to it."""

    id: int
    storage_key: str


def picture_and_contact(session: Session, meetup: Meetup | None = None,
                        series: MeetupSeries | None = None,
                        ) -> tuple[PictureRef | None, PublicContact | None]:
    """A public page's picture (the meetup's own, else its series') and the community's
    contact, in one statement: each is a one-row subquery outer-joined to a single anchor row.
    The contact comes back as a detached copy (the page only reads it)."""
    clauses = []
    if meetup is not None:
        clauses.append(EventImage.meetup_id == meetup.id)
    series_id = series.id if series is not None else (meetup.series_id if meetup else None)
    if series_id is not None:
        clauses.append(EventImage.series_id == series_id)
    pictures = (select(EventImage.id, EventImage.storage_key).where(or_(*clauses))
                .order_by(EventImage.meetup_id.is_(None)).limit(1).subquery())
    contacts = select(PublicContact.contact_name, PublicContact.contact_email,
                      PublicContact.contact_url).limit(1).subquery()
    anchor = select(literal(1).label("one")).subquery()
    row = session.execute(
        select(pictures.c.id, pictures.c.storage_key, contacts.c.contact_name,
               contacts.c.contact_email, contacts.c.contact_url)
        .select_from(anchor).outerjoin(pictures, true()).outerjoin(contacts, true())).one()
    picture = PictureRef(row.id, row.storage_key) if row.id is not None else None
    contact = None
    if row.contact_name is not None:
        contact = PublicContact(contact_name=row.contact_name, contact_email=row.contact_email,
                                contact_url=row.contact_url)
    return picture, contact


def images_for_meetups(session: Session, meetups: Iterable[Meetup]) -> dict[int, EventImage]:
    """Each meetup's picture (its own, else its series'), for a list: one statement."""
    meetups = list(meetups)
    if not meetups:
        return {}
    meetup_ids = [m.id for m in meetups]
    series_ids = {m.series_id for m in meetups if m.series_id is not None}
    rows = session.scalars(select(EventImage).where(or_(
        EventImage.meetup_id.in_(meetup_ids), EventImage.series_id.in_(series_ids)))).all()
    own = {i.meetup_id: i for i in rows if i.meetup_id is not None}
    by_series = {i.series_id: i for i in rows if i.series_id is not None}
    found = {}
    for meetup in meetups:
        image = own.get(meetup.id) or by_series.get(meetup.series_id)
        if image is not None:
            found[meetup.id] = image
    return found


def contact_of(session: Session) -> PublicContact | None:
    return session.scalar(select(PublicContact))


def save_contact(session: Session, *, name: str, email: str, url: str) -> PublicContact:
    """Set the community's public contact (empty fields clear it)."""
    contact = contact_of(session)
    if contact is None:
        contact = PublicContact()
        session.add(contact)
    contact.contact_name, contact.contact_email, contact.contact_url = name, email, url
    session.flush()
    return contact
