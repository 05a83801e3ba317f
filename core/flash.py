"""Telling a person what went wrong with a form they posted, on the page they are sent back
to: each error of an invalid form as one error message (Django's messages framework)."""

from django.contrib import messages


def form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
