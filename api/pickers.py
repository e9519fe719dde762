"""The service-user picker of the key pages: active staff with a unit, administrators only."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from areas.selectors import is_administrator
from jiefen.pickers import Source, register


def service_users(user, params):
    if not is_administrator(user):
        raise Http404
    return get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()


def user_label(u) -> str:
    return f"{u.username}（{u.first_name}）" if u.first_name else u.username


def search_users(qs, q: str):
    return qs.filter(Q(username__contains=q) | Q(first_name__contains=q))


def register_pickers() -> None:
    register(
        Source(
            name="admin-service-user",
            rows=service_users,
            search=search_users,
            label=user_label,
            group=lambda u: gettext("staff"),
            order=("username",),
        )
    )
