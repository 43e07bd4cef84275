"""Public sharing pages (series page, pictures, the embeddable calendar) and the console pages
that upload pictures and set the public contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.headers import allow_embedding
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import active_membership, get_or_404, require
from joren.platform.storage import StorageError, storage
from joren.platform.urls import external_url
from joren.tenants.meetups.models import Meetup, MeetupSeries, MeetupStatus, Visibility
from joren.tenants.meetups.public import images
from joren.tenants.meetups.public.forms import ContactForm, ImageForm, image_error
from joren.tenants.meetups.public.models import EventImage
from joren.tenants.meetups.public.pages import image_url, series_card
from joren.tenants.meetups.public.services import (
    Owner,
    belongs_to,
    contact_of,
    discard,
    image_of,
    images_for_meetups,
    remove_image,
    replace_image,
    save_contact,
)

bp = Blueprint("public", __name__)

EMBED_SHOWN = 10
EMBED_MAX_AGE = 600
IMAGE_MAX_AGE = 31_536_000  # a picture's name changes when it is replaced


def _upcoming_public(series_id: int | None = None, limit: int = EMBED_SHOWN) -> list[Meetup]:
    stmt = (select(Meetup).where(Meetup.starts_at >= utcnow(),
                                 Meetup.status == MeetupStatus.SCHEDULED,
                                 Meetup.is_public.is_(True))
            .order_by(Meetup.starts_at, Meetup.id).limit(limit))
    if series_id is not None:
        stmt = stmt.where(Meetup.series_id == series_id)
    return list(db.session.scalars(stmt))


# -- public ---------------------------------------------------------------------------------

@bp.get("/images/<int:image_id>/<name>")
def image(image_id: int, name: str) -> Any:
    """A stored picture, read only through its community's row (another's is a 404)."""
    member = active_membership() is not None
    if not (member or g.community.is_public):
        abort(404)
    found = get_or_404(EventImage, image_id)
    if not belongs_to(found, g.community.id) or found.storage_key.rsplit("/", 1)[-1] != name:
        abort(404)
    try:
        stored = storage().get(found.storage_key)
    except StorageError:
        abort(503)
    if stored is None:
        abort(404)
    response = Response(stored.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = (
        f"{'public' if g.community.is_public else 'private'}, max-age={IMAGE_MAX_AGE}, immutable")
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/series/<int:series_id>")
def series_page(series_id: int) -> Any:
    """A series' public page: what it is, its next meetups, the card a shared link shows."""
    # The same for every reader: kept by the page cache with the series in the key, until the
    # first of its next meetups starts (then it leaves the list); the card's tags for the
    # page's head, the series' title and whether it is public come with it. The series is
    # read (another community's or none: 404) only when the page is computed: a kept page
    # proves it was this community's, and any write in the community asks for another key.
    visitor = active_membership() is None
    if visitor and not g.community.is_public:
        abort(404)
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "public.series_page", (series_id,), lambda: _series_body(series_id, found),
        about=lambda: found, still_true=lambda kept: pagecache.not_yet(kept.get("first")))
    if visitor and not about["public"]:
        abort(404)
    return render_template("meetups/public/series.html", title=about["title"],
                           body_html=body_html,
                           head_html=Markup(about["head"]))  # noqa: S704 - Jinja's autoescaped output


def _series_body(series_id: int, found: dict[str, Any]) -> str:
    series = get_or_404(MeetupSeries, series_id)
    found["title"] = series.title
    found["public"] = series.visibility == Visibility.PUBLIC
    upcoming = _upcoming_public(series.id, limit=6)
    card = series_card(db.session, series, upcoming)
    found["first"] = upcoming[0].starts_at.isoformat() if upcoming else None
    found["head"] = render_template("meetups/public/_card_meta.html", **card)
    return render_template("meetups/public/_series_body.html", series=series,
                           upcoming=upcoming, **card)


@bp.get("/embed")
def embed() -> Any:
    """The community's upcoming public meetups, for the organizer's own site (in an iframe)."""
    if not g.community.is_public:
        abort(404)
    # The same for everyone: kept by the page cache until the first of the meetups it
    # lists starts (then it leaves the list).
    found: dict[str, Any] = {}
    html, _found = pagecache.cached_html_about(
        db.session, "public.embed", (), lambda: _embed_html(found), about=lambda: found,
        still_true=lambda kept: pagecache.not_yet(kept.get("first")))
    response = Response(str(html))
    response.headers["Cache-Control"] = f"public, max-age={EMBED_MAX_AGE}"
    response.vary.update(("Cookie", "Accept-Language"))  # the visitor's language
    return allow_embedding(response)


def _embed_html(found: dict[str, Any]) -> str:
    upcoming = _upcoming_public()
    found["first"] = upcoming[0].starts_at.isoformat() if upcoming else None
    pictures = images_for_meetups(db.session, upcoming)
    return render_template("meetups/public/embed.html", upcoming=upcoming,
                           pictures={m_id: image_url(p) for m_id, p in pictures.items()})


@bp.get("/embed.js")
def embed_script() -> Any:
    """A one-line snippet's script: it puts the embeddable calendar where it is included."""
    if not g.community.is_public:
        abort(404)
    body = render_template("meetups/public/embed.js", src=external_url(".embed"),
                           title=_("Upcoming meetups of %(name)s", name=g.community.name))
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = f"public, max-age={EMBED_MAX_AGE}"
    return response


# -- console --------------------------------------------------------------------------------

@bp.route("/admin/public-page", methods=["GET", "POST"])
@require(Capability.VIEW_CONSOLE, post=Capability.MANAGE_SETTINGS)
def settings() -> Any:
    """The public contact, and the code that embeds the calendar in another site. On a GET
    kept by the page cache: the contact and whether the community is public are its rows,
    and the page is the same for every reader of the console."""
    if request.method == "GET":
        body_html = pagecache.cached_html(
            db.session, "public.settings", (),
            lambda: _settings_body(ContactForm(obj=contact_of(db.session))))
        return render_template("meetups/public/settings.html", body_html=body_html)
    form = ContactForm(obj=contact_of(db.session))
    if form.validate_on_submit():
        save_contact(db.session, name=(form.contact_name.data or "").strip(),
                     email=(form.contact_email.data or "").strip(),
                     url=(form.contact_url.data or "").strip())
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for(".settings"))
    # A refused save: the page shows what was typed and why, never kept.
    return render_template("meetups/public/settings.html",
                           body_html=Markup(_settings_body(form))), 422  # noqa: S704 - Jinja's autoescaped output


def _settings_body(form: ContactForm) -> str:
    return render_template("meetups/public/_settings_body.html", form=form,
                           embed_url=external_url(".embed"),
                           script_url=external_url(".embed_script"))


def _image_page(load: Callable[[], Meetup | MeetupSeries], name: str, thing_id: int,
                back: str) -> Any:
    """A picture's page; on a GET kept by the page cache by ``name`` and the thing's id. The
    meetup or series is read (``load``, 404 when it is not this community's) only when the
    page is computed: a kept page proves it was there, and any write asks for another key."""
    if request.method == "POST":
        return _image_post(load(), back)
    found: dict[str, Any] = {}
    body_html, title = pagecache.cached_html_about(
        db.session, name, (thing_id,), lambda: _image_body(load(), ImageForm(), back, found),
        about=lambda: found["title"])
    return _image_frame(body_html, title)


def _image_post(thing: Meetup | MeetupSeries, back: str) -> Any:
    owner = Owner.of(thing)
    form = ImageForm()
    if request.form.get("action") == "remove":
        key = remove_image(db.session, owner)
        db.session.commit()
        discard(storage(), key)
        flash(_("The picture was removed."), "success")
        return redirect(request.path)
    message = _store_upload(owner, form)
    if message is None:
        flash(_("The picture was saved."), "success")
        return redirect(request.path)
    form.image.errors = [message]
    return _image_frame(Markup(_image_body(thing, form, back, {})), thing.title), 422  # noqa: S704 - Jinja's autoescaped output


def _image_body(thing: Meetup | MeetupSeries, form: ImageForm, back: str,
                found: dict[str, Any]) -> str:
    owner = Owner.of(thing)
    current = image_of(db.session, owner)
    inherited = None
    if current is None and isinstance(thing, Meetup) and thing.series_id is not None:
        inherited = image_of(db.session, Owner("series", thing.series_id))
    found["title"] = thing.title
    return render_template("meetups/public/_image_body.html", form=form, thing=thing,
                           back=back, current=image_url(current), inherited=image_url(inherited))


def _image_frame(body_html: Markup, title: str) -> str:
    return render_template("meetups/public/image.html", body_html=body_html, title=title)


def _store_upload(owner: Owner, form: ImageForm) -> str | None:
    """Store the uploaded picture; the message to show when it is refused."""
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    upload = request.files.get("image")
    data = upload.stream.read(max_bytes + 1) if upload is not None else b""
    try:
        prepared = images.prepare(data, max_bytes)
        _, old_key = replace_image(db.session, storage(), g.community.id, owner, prepared)
    except images.ImageError as exc:
        return image_error(exc.code, max_bytes)
    except StorageError:
        db.session.rollback()
        return image_error("storage", max_bytes)
    db.session.commit()
    discard(storage(), old_key)
    return None


@bp.route("/admin/meetups/series/<int:series_id>/image", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def series_image(series_id: int) -> Any:
    return _image_page(lambda: get_or_404(MeetupSeries, series_id), "public.series_image",
                       series_id, url_for("community.meetups.series_edit", series_id=series_id))


@bp.route("/admin/meetups/<int:meetup_id>/image", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def meetup_image(meetup_id: int) -> Any:
    return _image_page(lambda: get_or_404(Meetup, meetup_id), "public.meetup_image", meetup_id,
                       url_for("community.meetups.console_detail", meetup_id=meetup_id))
