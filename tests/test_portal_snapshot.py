"""随手拍: the intake form offers a phone's camera and records where the phone was."""

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from cases.services import normalise_location
from tests.test_case_views import intake_data
from tests.test_portal_tracking import PNG


def test_the_intake_form_offers_the_camera_and_keeps_the_location(client, county):
    client.force_login(county.users["grid"])
    html = client.get("/cases/new/").content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'name="location"' in html and "jiefen/geo.js" in html
    photo = SimpleUploadedFile("shot.png", PNG, content_type="image/png")
    data = intake_data(county, location="28.1934999,113.0856", photos=[photo])
    response = client.post("/cases/new/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.location == "28.19350,113.08560"
    assert case.attachments.get().content_type == "image/png"
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "28.19350,113.08560" in page


def test_a_location_that_is_not_coordinates_is_dropped():
    assert normalise_location("91,10") == ""
    assert normalise_location("<script>") == ""
    assert normalise_location("") == ""
    assert normalise_location("-33.8688,151.2093") == "-33.86880,151.20930"
