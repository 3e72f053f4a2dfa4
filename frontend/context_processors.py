from django.utils.functional import SimpleLazyObject

from curation.permissions import is_admin, is_member, is_moderator


def roles(request):
    """`roles.member|moderator|admin` for the templates, looked up only when a page asks."""

    def _roles():
        user = getattr(request, "user", None)
        return {
            "member": is_member(user),
            "moderator": is_moderator(user),
            "admin": is_admin(user),
        }

    return {"roles": SimpleLazyObject(_roles)}
