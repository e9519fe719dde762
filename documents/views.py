"""Downloading a case's documents, and the administrators' template editor.

Documents carry the parties' full data, so only roles that see the full case record
(cases.services.FULL_RECORD_ROLES) may draw them up; each download is logged as a full read.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from areas.access import admin_required
from cases.errors import CaseNotFound
from cases.selectors import visible_case_or_404
from cases.services import open_case_record
from jiefen import clock
from risk.meetings import visible_meeting_or_404

from .models import Block, DocumentTemplate
from .services import FORMATS, draw_up, draw_up_minutes
from .sources import source_choices


@login_required
def download(request, code, slug, fmt):
    case = visible_case_or_404(request.user, code)
    template = get_object_or_404(DocumentTemplate, slug=slug, is_active=True)
    if fmt not in FORMATS:
        raise Http404
    now = clock.now()
    if not open_case_record(case, request.user, "web", request.META.get("REMOTE_ADDR"), now):
        raise PermissionDenied
    obj_id = request.GET.get("id")
    qr_url = request.build_absolute_uri(reverse("portal:track", args=[case.code]))
    try:
        data = draw_up(
            template,
            case,
            int(obj_id) if obj_id and obj_id.isdigit() else None,
            fmt,
            request.user,
            now,
            qr_url,
        )
    except CaseNotFound:
        raise Http404 from None
    response = HttpResponse(data, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("inline") != "1", f"{case.code}-{template.title}.{fmt}"
    )
    return response


@login_required
def meeting_minutes(request, pk, fmt):
    """纪要 of a 研判 meeting the user may see (else 404), as PDF or DOCX."""
    meeting = visible_meeting_or_404(request.user, pk)
    data = draw_up_minutes(meeting, fmt, request.user, clock.now())
    if data is None:
        raise Http404
    response = HttpResponse(data, content_type=FORMATS[fmt][0])
    response["Content-Disposition"] = content_disposition_header(
        request.GET.get("inline") != "1",
        f"研判纪要-{meeting.center.name}-{meeting.date.isoformat()}.{fmt}",
    )
    return response


# ---------------------------------------------------------------- template editor


class TemplateForm(forms.ModelForm):
    class Meta:
        model = DocumentTemplate
        fields = ["title", "show_qr", "order", "is_active"]


class BlockForm(forms.ModelForm):
    source = forms.ChoiceField(label=_("case data"), required=False)

    class Meta:
        model = Block
        fields = ["order", "kind", "label", "source", "text"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "order": forms.NumberInput(attrs={"style": "width:5em"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()


BlockFormSet = forms.inlineformset_factory(
    DocumentTemplate, Block, form=BlockForm, extra=2, can_delete=True
)


@admin_required
def template_list(request):
    return render(
        request, "documents/template_list.html", {"templates": DocumentTemplate.objects.all()}
    )


@admin_required
def template_edit(request, pk):
    template = get_object_or_404(DocumentTemplate, pk=pk)
    form = TemplateForm(request.POST or None, instance=template)
    formset = BlockFormSet(request.POST or None, instance=template, prefix="blocks")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        form.save()
        formset.save()
        messages.success(request, _("Template saved."))
        return redirect("documents:template_edit", pk=template.pk)
    return render(
        request,
        "documents/template_form.html",
        {"template": template, "form": form, "formset": formset},
    )
