"""Registration pages: register, cancel, waitlist, approval (console, portal and public)."""

from flask import Blueprint

bp = Blueprint("registrations", __name__)
