"""The core's error vocabulary and the helpers every app shares: a service's refusal lands on
the right form field, in the panel it came from, and in one API problem body."""

import datetime
import json
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory

from api.urls import api
from areas.services import AdminError
from cases.errors import CaseError, CaseNotFound, IllegalTransition, InvalidInput, NotAllowed
from jiefen.errors import NotFound, ServiceError
from jiefen.forms import apply_errors
from jiefen.localtime import LOCAL_TZ, aware
from jiefen.pagination import page_url
from jiefen.panels import run_panel_action

ROOT = Path(__file__).resolve().parent.parent


class PolicyForm(forms.Form):
    name = forms.CharField()


class StepForm(forms.Form):
    level = forms.IntegerField()
    note = forms.CharField(required=False)


StepFormSet = forms.formset_factory(StepForm, extra=0)


def bound_forms(n_rows: int = 2):
    data = {"name": "x", "steps-TOTAL_FORMS": str(n_rows), "steps-INITIAL_FORMS": "0"}
    data.update({f"steps-{i}-level": str(i + 1) for i in range(n_rows)})
    form, formset = PolicyForm(data), StepFormSet(data, prefix="steps")
    assert form.is_valid() and formset.is_valid()
    return form, formset


# ---------------------------------------------------------------- the vocabulary


def test_every_service_error_is_a_service_error_with_its_status():
    assert CaseError is ServiceError
    for kind, status in [
        (InvalidInput, 422),
        (IllegalTransition, 409),
        (NotAllowed, 403),
        (CaseNotFound, 404),
        (AdminError, 400),
    ]:
        e = kind("refused", {"name": "Enter the name."})
        assert isinstance(e, ServiceError) and e.status == status
        assert e.message == "refused" and e.field_errors == {"name": "Enter the name."}
    assert issubclass(CaseNotFound, NotFound)
    assert ServiceError("refused").field_errors == {}


# ---------------------------------------------------------------- apply_errors


def test_field_errors_reach_the_fields_they_name():
    form, _ = bound_forms()
    apply_errors(InvalidInput("Please correct.", {"name": "Enter the name."}), form)
    assert form.errors["name"] == ["Enter the name."]
    # Every field was named: the message is not repeated at the top.
    assert form.non_field_errors() == []


def test_unknown_names_and_a_bare_message_go_to_the_top():
    form, _ = bound_forms()
    apply_errors(InvalidInput("Please correct.", {"area_code": "Unknown area."}), form)
    assert form.non_field_errors() == ["Unknown area."]
    form, _ = bound_forms()
    apply_errors(NotAllowed("Only administrators may change this."), form)
    assert form.non_field_errors() == ["Only administrators may change this."]


@pytest.mark.parametrize("key", ["steps[1].level", "steps-1-level"])
def test_row_errors_reach_their_row_in_either_naming(key):
    form, formset = bound_forms()
    apply_errors(InvalidInput("Please correct.", {key: "Choose a level."}), form, formset)
    assert formset.forms[1].errors["level"] == ["Choose a level."]
    assert not formset.forms[0].errors and not form.errors


def test_rows_are_the_forms_the_service_numbered():
    # The service saw only the second row (the first was left blank): its row 0 is form 1.
    form, formset = bound_forms()
    rows = [formset.forms[1]]
    errors = {"steps-0": "Duplicate level.", "steps": "The chain is empty.", "steps-5-note": "?"}
    apply_errors(InvalidInput("Please correct.", errors), form, formset, rows, summary=True)
    assert formset.forms[1].non_field_errors() == ["Duplicate level."]
    assert formset.non_form_errors() == ["The chain is empty."]
    # A row the service did not get goes to the top; `summary` adds the message there too.
    assert form.non_field_errors() == ["?", "Please correct."]


# ---------------------------------------------------------------- the panels


def panel_request():
    request = RequestFactory().post("/x/")
    request._messages = CookieStorage(request)
    return request


def run(request, form, call):
    shown = {}

    def show_again(bound):
        shown.update(bound)
        return HttpResponse("page")

    response = run_panel_action(
        request, form, call, success="Done.", next_url="/cases/X/#panel", show_again=show_again
    )
    return response, shown


def test_a_panel_action_that_succeeds_redirects_with_its_message():
    request = panel_request()
    calls = []
    form = PolicyForm({"p-name": "x"}, prefix="p")
    response, shown = run(request, form, calls.append)
    assert response.status_code == 302 and response["Location"] == "/cases/X/#panel"
    assert calls == [{"name": "x"}] and shown == {}
    assert [str(m) for m in get_messages(request)] == ["Done."]


def test_a_refused_panel_action_shows_the_bound_form_again_in_its_panel():
    request = panel_request()
    form = PolicyForm({"p-name": "x"}, prefix="p")

    def refuse(data):
        raise InvalidInput("Please correct.", {"name": "Taken."})

    response, shown = run(request, form, refuse)
    assert response.status_code == 422
    assert shown == {"p": form} and form.errors["name"] == ["Taken."]
    assert [str(m) for m in get_messages(request)] == ["Please correct."]


def test_an_invalid_panel_form_never_reaches_the_service():
    request = panel_request()
    form = PolicyForm({}, prefix="p")
    calls = []
    response, shown = run(request, form, calls.append)
    assert response.status_code == 422 and shown == {"p": form} and calls == []
    assert "name" in form.errors and list(get_messages(request)) == []


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(
    "error, status, code",
    [
        (
            AdminError("Please correct the marked fields.", {"name": "Enter the name."}),
            400,
            "refused",
        ),
        (
            InvalidInput("Please correct the marked fields.", {"name": "Enter the name."}),
            422,
            "invalid_input",
        ),
        (NotAllowed("Only administrators may change this."), 403, "not_allowed"),
        (IllegalTransition("Not now."), 409, "illegal_transition"),
    ],
)
def test_a_service_error_of_any_app_is_one_problem_body(error, status, code):
    response = api.on_exception(RequestFactory().get("/api/v1/cases"), error)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["type"] == f"urn:jiefen:problem:{code}" and body["status"] == status
    assert body["detail"] == error.message and body["errors"] == error.field_errors


def test_a_missing_case_never_says_whether_it_exists():
    response = api.on_exception(RequestFactory().get("/api/v1/cases/X"), CaseNotFound("JF-1"))
    body = json.loads(response.content)
    assert response.status_code == 404 and body["type"] == "urn:jiefen:problem:not_found"
    assert "JF-1" not in body["detail"]


# ---------------------------------------------------------------- small helpers


def test_times_without_an_offset_are_local():
    naive = datetime.datetime(2026, 11, 23, 9, 0)
    assert aware(naive) == datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC)
    assert aware(naive).tzinfo is LOCAL_TZ
    utc = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    assert aware(utc) is utc and aware(None) is None


def test_page_urls_keep_the_other_parameters():
    request = RequestFactory().get("/api/v1/cases", {"status": "handling", "page": "1"})
    assert page_url(request, 2) == "http://testserver/api/v1/cases?page=2&status=handling"
