from .selectors import primary_membership, scope_of


def membership(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"current_membership": primary_membership(user), "current_scope": scope_of(user)}
