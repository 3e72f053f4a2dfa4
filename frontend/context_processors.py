from django.utils.functional import SimpleLazyObject

from accounts.roles import is_admin, is_member, is_moderator
from frontend.page_cache import page_is_shared
from notifications.selectors import inbox_state


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


def shared_page(request):
    """`shared_page`: the page is rendered once for every anonymous reader (page_cache)."""
    return {"shared_page": page_is_shared(request)}


def inbox(request):
    """`inbox` for the header: the reader's count of unread items (notifications.selectors.
    inbox_state, one query), read only when a page shows it, and only for members. A page
    with a Follow button gives its own `inbox`, read in the same one query with whether the
    reader follows its target (frontend.follows)."""
    return {"inbox": SimpleLazyObject(lambda: inbox_state(viewer=getattr(request, "user", None)))}
