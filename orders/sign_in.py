"""On sign-in — by password, by SMS code, on registering or after a password reset, every
way ends in Django's ``login()`` — the orders placed in this browser without an account
become the account's (``services.claim_orders``). The anonymous cart is merged by
``cart.merge_session_cart``, on the same signal."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import RECENT_ORDERS_SESSION_KEY, claim_orders


@receiver(user_logged_in)
def claim_session_orders(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    claim_orders(user, request.session.get(RECENT_ORDERS_SESSION_KEY) or [])
