"""View decorators for who may open a page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .selectors import is_administrator


def admin_required(view):
    """Administrators only (role admin or superuser); anyone else gets a 404, so the
    administration pages do not even reveal that they exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_administrator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
