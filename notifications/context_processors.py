from .services import unread_count


def bell(request):
    """The unread count of the bell in the top bar (one indexed count per page)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"unread_count": unread_count(user)}
