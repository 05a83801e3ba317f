"""The 400 page: what was wrong with the request, in words (``handler400`` in
``marketplace/urls.py``). ``core.parsing.BadInput`` carries the message; Django's own
``BadRequest`` / ``SuspiciousOperation`` get a general one."""

from django.shortcuts import render

from .parsing import BadInput


def bad_request(request, exception=None):
    message = str(exception) if isinstance(exception, BadInput) else ""
    return render(request, "400.html", {"message": message}, status=400)
