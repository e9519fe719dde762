"""Pages of a list, for the web pages (`page_of`) and the API's next/previous links (`page_url`)."""

from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, items, per_page: int, count: int | None = None) -> Page:
    """The page the query string asks for (?page=); the last one if it asks beyond it.
    `count`, when the caller knows how many items there are (a figure's value), spares the
    COUNT(*), which at province scale costs more than the page."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: set, it is not run
    return paginator.get_page(request.GET.get("page"))


def page_url(request: HttpRequest, page: int) -> str:
    """The absolute URL of this request with ?page=`page` and the other parameters kept."""
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(params.items()))}")
