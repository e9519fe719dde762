"""The actions of a case page's panels (吹哨报到, 督办, mediation): one form, one service call."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jiefen.errors import ServiceError
from jiefen.forms import apply_errors


def run_panel_action(
    request: HttpRequest,
    form,
    call: Callable[[dict[str, Any]], object],
    *,
    success: str,
    next_url: str,
    show_again: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """Validate `form`, call the service, and answer the POST.

    `call(cleaned_data)` does the act. When it succeeds: a redirect to `next_url` with
    `success` as the message. When the form is invalid or the service refuses: nothing is
    saved and `show_again({form.prefix: form})` renders the page with the bound form handed
    back to its panel, the service's field errors on their fields and its message on top,
    with status 422.
    """
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, success)
            return redirect(next_url)
    response = show_again({form.prefix: form})
    response.status_code = 422
    return response
