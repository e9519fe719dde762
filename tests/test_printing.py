"""打印: the print button is on the case page, the work queue and the dashboard."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, new_case

BUTTON = '<button type="button" class="print-button" data-print>打印</button>'


@pytest.mark.parametrize(
    ("username", "page"),
    [("vclerk", "case"), ("vclerk", "cases:queue"), ("leader", "stats:dashboard")],
)
def test_the_page_has_a_print_button(county, client, username, page):
    case = new_case(county)
    client.login(username=username, password=PASSWORD)
    url = reverse("cases:detail", args=[case.code]) if page == "case" else reverse(page)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert BUTTON in response.content.decode()


def test_the_print_button_is_handled_without_inline_script():
    """The button has no onclick: app.js prints on a click on any [data-print]."""
    script = (settings.BASE_DIR / "jiefen" / "static" / "jiefen" / "app.js").read_text()
    assert "[data-print]" in script and "window.print()" in script
