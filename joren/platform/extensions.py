"""Flask extension objects, created unbound and initialised by create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_rq import RQ
from flask_wtf.csrf import CSRFProtect

from joren.platform.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
rq = RQ()

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "rq"]
