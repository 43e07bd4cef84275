from flask import Blueprint

bp = Blueprint("members", __name__)
