"""View decorators for who may open a page."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def _is_administrator(user) -> bool:
    # Administrators are a role in the area tree; read when asked, because the core
    # imports no app at load time.
    from areas.selectors import is_administrator

    return is_administrator(user)


def admin_required(view):
    """Administrators only (role admin or superuser); anyone else gets a 404, so the
    administration pages do not even reveal that they exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _is_administrator(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
