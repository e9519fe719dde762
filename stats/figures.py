"""A dashboard figure that is not one of the cohort indicators (the risk and 信访 sections):
its value with its written definition and, where it is a set of cases, the link to them."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse


@dataclass
class Figure:
    key: str
    name: str
    definition: str
    value: object
    href: str = ""


def cases_url(**params) -> str:
    """The case list filtered to exactly a figure's cases (empty parameters left out)."""
    return f"{reverse('cases:list')}?{urlencode({k: v for k, v in params.items() if v})}"
