"""The scope of a connected system's key (api.SystemKey): which intake channels and which
areas it may register cases on. One check for every intake endpoint, before anything is
written; a user's own token has no scope beyond the user's permissions (a no-op here)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from areas.models import Area
from cases.models import Channel
from jiefen.errors import NotAllowed


class OutOfScope(NotAllowed):
    """A system key's scope excludes the channel or the area (403, naming the field)."""

    code = "not_allowed"


def key_of(request: HttpRequest):
    """The system key the request was authenticated with, or None (a user's token)."""
    return getattr(request, "system_key", None)


def check_intake_scope(
    request: HttpRequest,
    channel: str,
    area,
    *,
    channel_field: str = "channel",
    area_field: str = "area",
) -> None:
    """Refuse (403, the field named) an intake on `channel` in `area` (an Area, an area code,
    or None) that the request's system key may not make. An unknown area code is left to the
    intake's own validation (422); no area at all is refused when the key lists areas."""
    key = key_of(request)
    if key is None:
        return
    if channel not in key.channels:
        label = Channel(channel).label if channel in Channel.values else channel
        raise OutOfScope(
            _("This key may not register cases on the channel %(channel)s.") % {"channel": label},
            {channel_field: _("Outside this key's channels.")},
        )
    allowed = list(key.areas.all())
    if not allowed:
        return
    if isinstance(area, str):
        code = area.strip()
        area = Area.objects.filter(code=code).first() if code else None
        if area is None and code:
            return
    if area is None or not any(area.is_within(a) for a in allowed):
        raise OutOfScope(
            _("This key may only register cases in its areas: %(areas)s.")
            % {"areas": "、".join(a.name for a in allowed)},
            {area_field: _("Outside this key's areas.")},
        )
