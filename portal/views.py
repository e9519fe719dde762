"""The citizen pages: what anyone scanning a case's QR code sees, and what a party who
proved their phone sees. No login; a party is known by the phone registered on the case."""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.attachments import inline_type
from cases.errors import CaseNotFound
from cases.selectors import get_visible_case
from clocks.calendar import local_date
from documents.services import draw_up
from jiefen import clock
from jiefen.errors import NotAllowed, ServiceError
from jiefen.forms import apply_errors

from . import codes, evaluations, gridlog, selectors, services
from . import daily as daily_reports
from .forms import (
    DailyItemForm,
    MaterialForm,
    ProblemForm,
    RatingForm,
    ReportForm,
    ReviewForm,
    VerifyForm,
    VisitForm,
)
from .models import DailyReport, Problem, VisitLog
from .plain import plain_status, plain_step

PUBLIC_MAX_AGE = 60
VERIFIED_FOR = datetime.timedelta(hours=2)
SESSION_KEY = "portal_phone"


def _posted_id(request, name: str) -> int:
    """A row id from the form; anything else is 0, which names no row (a 404, not a 500)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def verified_phone(request) -> str:
    """The phone this browser proved by a code, while the proof lasts."""
    proof = request.session.get(SESSION_KEY)
    if not proof:
        return ""
    until = datetime.datetime.fromisoformat(proof["until"])
    return proof["phone"] if until > clock.now() else ""


def remember_phone(request, phone: str) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "phone": phone,
        "until": (clock.now() + VERIFIED_FOR).isoformat(),
    }


def track(request, code):
    """/c/<code>, the case QR code's target: the public page (staff: the staff page)."""
    if request.user.is_authenticated:
        try:
            case = get_visible_case(request.user, code)
        except CaseNotFound:
            pass
        else:
            return redirect("cases:detail", code=case.code)
    case = selectors.public_case(code)
    if case is None:
        raise Http404
    # A repeat report merged into its main case (并单) keeps its code and answers with the
    # main case's progress.
    main = selectors.public_case(pk=case.duplicate_of_id) if case.duplicate_of_id else None
    shown = main or case
    steps = [(at, plain_step(k, to)) for at, k, to in selectors.main_steps(shown)]
    response = render(
        request,
        "portal/track.html",
        {
            "case": case,
            "shown": shown,
            "merged_into": main,
            "status": plain_status(shown.status),
            "steps": steps,
        },
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def _party_case(request, code):
    case = selectors.public_case(code)
    if case is None:
        raise Http404
    phone = verified_phone(request)
    return case, phone if selectors.is_party_phone(case, phone) else ""


def party(request, code):
    """A party's own view of the case, after proving the phone registered on it."""
    case, phone = _party_case(request, code)
    if not phone:
        return redirect("portal:verify", code=case.code)
    return _party_page(request, case)


def _party_page(request, case, material_form=None, status=200):
    steps = [(at, plain_step(k, to), note) for at, k, to, note in selectors.party_steps(case)]
    materials = list(case.missing_materials.all())
    response = render(
        request,
        "portal/party.html",
        {
            "case": case,
            "status": plain_status(case.status),
            "steps": steps,
            "materials": materials,
            "material_form": material_form or MaterialForm(),
            "sessions": selectors.party_sessions(case),
            "agreements": selectors.party_agreements(case),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def verify(request, code):
    """Prove the phone registered on the case: ask for a code, then enter it."""
    case = selectors.public_case(code)
    if case is None:
        raise Http404
    form = VerifyForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        now = clock.now()
        purpose = f"track:{case.code}"
        try:
            if request.POST.get("action") == "send":
                # The answer is the same whether or not the phone is on the case.
                if selectors.is_party_phone(case, phone):
                    codes.send_code(phone, purpose, client_ip(request), now, case_code=case.code)
                sent = True
            else:
                codes.check_code(phone, purpose, form.cleaned_data["code"], now)
                if not selectors.is_party_phone(case, phone):
                    raise ServiceError(_("This phone is not registered on the case."))
                remember_phone(request, phone)
                return redirect("portal:party", code=case.code)
        except ServiceError as e:
            apply_errors(e, form)
            sent = request.POST.get("action") != "send"
    response = render(
        request,
        "portal/verify.html",
        {"case": case, "form": form, "sent": sent},
        status=422 if form.errors else 200,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def provide(request, code, pk):
    case, phone = _party_case(request, code)
    if not phone:
        return redirect("portal:verify", code=case.code)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.provide_material_by_party(
                case, pk, phone, form.cleaned_data["file"], clock.now()
            )
        except ServiceError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("Thank you: the material has been handed in."))
            return redirect("portal:party", code=case.code)
    return _party_page(request, case, material_form=form, status=422)


def agreement(request, code, pk):
    """The party's agreement as PDF (the MoJ 调解协议书 the mediators drew up)."""
    case, phone = _party_case(request, code)
    if not phone:
        return redirect("portal:verify", code=case.code)
    found = [a for a in selectors.party_agreements(case) if a.pk == pk]
    template = selectors.agreement_template(found[0]) if found else None
    if template is None:
        raise Http404
    qr_url = request.build_absolute_uri(reverse("portal:track", args=[case.code]))
    data = draw_up(template, case, pk, "pdf", None, clock.now(), qr_url)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.code}.pdf"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# ---------------------------------------------------------------- a citizen's report


def _track_url(request):
    return lambda code: request.build_absolute_uri(reverse("portal:track", args=[code]))


@require_POST
def report_code(request):
    """Send the reporter's phone a code (the report form asks by fetch, without leaving)."""
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"message": form.errors["phone"][0]}, status=422)
    try:
        codes.send_code(form.cleaned_data["phone"], "report", client_ip(request), clock.now())
    except ServiceError as e:
        return JsonResponse({"message": e.message}, status=e.status)
    return JsonResponse({"message": _("A code has been sent by SMS; it is valid for 5 minutes.")})


def report(request):
    """A citizen reports a dispute from a phone; `?grid=<code>` from a QR code in the village."""
    initial = {"grid": request.GET.get("grid", ""), "idempotency_key": uuid.uuid4().hex}
    form = ReportForm(request.POST or None, initial=initial)
    grid = services.report_area(request.POST.get("grid") or initial["grid"])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.CitizenReport(
            description=d["description"],
            area_code=d["grid"] or d["area_code"],
            category=d["category"],
            name=d["name"],
            phone=d["phone"],
            code=d["code"],
            place=d["place"],
            other_name=d["other_name"],
            other_phone=d["other_phone"],
            idempotency_key=d["idempotency_key"],
            photos=request.FILES.getlist("photos"),
        )
        try:
            case, _created = services.report_dispute(data, clock.now(), _track_url(request))
        except ServiceError as e:
            apply_errors(e, form)
            if "grid" in e.field_errors or (d["grid"] and "area_code" in e.field_errors):
                grid = None
        else:
            response = render(request, "portal/report_done.html", {"case": case})
            patch_cache_control(response, private=True, no_store=True)
            return response
    response = render(
        request,
        "portal/report.html",
        {"form": form, "grid": grid},
        status=422 if form.errors else 200,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


# ---------------------------------------------------------------- evaluation


def evaluate(request, token):
    """A party rates the outcome through the SMS link (once, within 30 days)."""
    try:
        evaluation = evaluations.evaluation_for_token(token)
    except ServiceError as e:
        return _refused(request, e)
    form = RatingForm(request.POST or None)
    if evaluation.rated_at is None and request.method == "POST" and form.is_valid():
        try:
            evaluations.rate(
                token, form.cleaned_data["satisfaction"], form.cleaned_data["comment"], clock.now()
            )
        except ServiceError as e:
            apply_errors(e, form)
        else:
            return _no_store(
                render(request, "portal/evaluate_done.html", {"case": evaluation.case})
            )
    if evaluation.rated_at is not None:
        message = _("This link has been used: the rating is recorded.")
    elif evaluation.expires_at <= clock.now():
        message = _("This evaluation link has expired (30 days).")
    else:
        message = ""
    response = render(
        request,
        "portal/evaluate.html",
        {"evaluation": evaluation, "case": evaluation.case, "form": form, "closed": message},
        status=410 if message else (422 if form.errors else 200),
    )
    return _no_store(response)


def _refused(request, error):
    response = render(request, "portal/refused.html", {"message": error.message}, status=404)
    return _no_store(response)


def _no_store(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
def reviews(request):
    """The center's review list: cases a party rated 不满意, with their deadline."""
    rows = evaluations.reviews_for(request.user)
    if not evaluations.scope_of(request.user).has_role(*evaluations.REVIEW_ROLES):
        raise Http404
    now = clock.now()
    context = {
        "open": [(r, r.due_at < now) for r in rows.filter(done_at__isnull=True)],
        "done": rows.filter(done_at__isnull=False).order_by("-done_at")[:50],
        "form": ReviewForm(),
    }
    return render(request, "portal/reviews.html", context)


@login_required
@require_POST
def review_done(request, pk):
    # Another center's review is a 404 whatever the form says (not "say what was done").
    if not evaluations.reviews_for(request.user).filter(pk=pk).exists():
        raise Http404
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            evaluations.mark_reviewed(pk, request.user, form.cleaned_data["note"], clock.now())
        except NotAllowed:
            raise Http404 from None
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Say what was done about it."))
    return redirect("portal:reviews")


# ---------------------------------------------------------------- a grid's daily report


@login_required
def daily(request):
    """有事报情况，无事报平安: the grid worker's page for today."""
    grids = daily_reports.reporting_grids(request.user)
    if not grids:
        raise Http404
    now = clock.now()
    bound, bound_grid = None, None
    if request.method == "POST":
        grid_id = _posted_id(request, "grid")
        try:
            if request.POST.get("action") == "quiet":
                daily_reports.report_all_quiet(
                    request.user, grid_id, now, request.POST.get("idempotency_key", "")
                )
                messages.success(request, _("Reported: all quiet today."))
                return redirect("portal:daily")
            form = DailyItemForm(request.POST)
            if form.is_valid():
                daily_reports.add_item(request.user, grid_id, now=now, **form.cleaned_data)
                messages.success(request, _("Added to today's report."))
                return redirect("portal:daily")
            bound, bound_grid = form, grid_id
        except NotAllowed:
            raise Http404 from None
        except ServiceError as e:
            messages.error(request, e.message)
    today = local_date(now)
    reports = {
        r.grid_id: r
        for r in DailyReport.objects.filter(grid__in=grids, day=today).prefetch_related(
            "items__case"
        )
    }
    rows = [
        {
            "grid": g,
            "report": reports.get(g.pk),
            "items": list(reports[g.pk].items.all()) if g.pk in reports else [],
        }
        for g in grids
    ]
    context = {
        "grids": rows,
        "makes_cases": daily_reports.makes_cases(request.user),
        "today": today,
        "item_form": DailyItemForm(),
        "bound": bound,
        "bound_grid": bound_grid,
    }
    return render(request, "portal/daily.html", context, status=422 if bound else 200)


@login_required
@require_POST
def daily_case(request, pk):
    """One more tap: a daily report's item becomes a case."""
    if not daily_reports.reporting_grids(request.user):
        raise Http404  # no grid of the user's: no item of it (as on the daily page)
    try:
        case = daily_reports.item_to_case(
            request.user,
            pk,
            clock.now(),
            party_name=request.POST.get("party_name", ""),
            party_phone=request.POST.get("party_phone", ""),
        )
    except NotAllowed:
        raise Http404 from None
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("portal:daily")
    messages.success(request, _("Case registered. Its code is %(code)s.") % {"code": case.code})
    return redirect("cases:detail", code=case.code)


@login_required
def daily_overview(request):
    """Which grids of the center's area have reported today, and the days they missed."""
    if not daily_reports.scope_of(request.user).has_role(*daily_reports.OVERVIEW_ROLES):
        raise Http404
    today = clock.today_local()
    rows = daily_reports.overview(request.user, today)
    context = {"rows": rows, "today": today, "reported": sum(1 for r in rows if r["report"])}
    return render(request, "portal/daily_overview.html", context)


# ---------------------------------------------------------------- 民情日志 and 问题清单


@login_required
def grid_log(request):
    """The grid's visit log and problem list: kept by its grid worker, read by its centers."""
    grids = gridlog.readable_grids(request.user)
    if not grids:
        raise Http404
    own = bool(daily_reports.reporting_grids(request.user))
    now = clock.now()
    visit_form, problem_form = VisitForm(), ProblemForm()
    if request.method == "POST":
        if not own:
            raise Http404
        grid_id = _posted_id(request, "grid")
        action = request.POST.get("action")
        try:
            if action == "visit":
                visit_form = VisitForm(request.POST)
                if visit_form.is_valid():
                    d = visit_form.cleaned_data
                    gridlog.add_visit(
                        request.user,
                        grid_id,
                        d["place"],
                        d["found"],
                        now,
                        photo=request.FILES.get("photo"),
                        location=d["location"],
                    )
                    messages.success(request, _("Visit logged."))
                    return redirect("portal:grid_log")
            elif action == "problem":
                problem_form = ProblemForm(request.POST)
                if problem_form.is_valid():
                    d = problem_form.cleaned_data
                    gridlog.add_problem(request.user, grid_id, d["kind"], d["text"], now)
                    messages.success(request, _("Problem added to the list."))
                    return redirect("portal:grid_log")
            elif action == "close":
                gridlog.close_problem(
                    request.user,
                    _posted_id(request, "problem"),
                    request.POST.get("note", ""),
                    now,
                )
                messages.success(request, _("Problem closed."))
                return redirect("portal:grid_log")
            elif action == "case":
                case = gridlog.problem_to_case(
                    request.user,
                    _posted_id(request, "problem"),
                    request.POST.get("party_name", ""),
                    request.POST.get("party_phone", ""),
                    now,
                )
                messages.success(
                    request, _("Case registered. Its code is %(code)s.") % {"code": case.code}
                )
                return redirect("cases:detail", code=case.code)
        except NotAllowed:
            raise Http404 from None
        except ServiceError as e:
            if action in ("visit", "problem"):
                apply_errors(e, visit_form if action == "visit" else problem_form)
            messages.error(request, e.message)
    ids = [g.pk for g in grids]
    context = {
        "own": own,
        "makes_cases": daily_reports.makes_cases(request.user),
        "grids": grids,
        "visits": VisitLog.objects.filter(grid_id__in=ids).select_related("grid", "author")[:100],
        "problems": Problem.objects.filter(grid_id__in=ids).select_related("grid", "case")[:200],
        "visit_form": visit_form,
        "problem_form": problem_form,
    }
    status = 422 if visit_form.errors or problem_form.errors else 200
    return render(request, "portal/grid_log.html", context, status=status)


@login_required
def visit_photo(request, pk):
    """A visit's photo, for those who read the grid's log (never shown inline unless a photo)."""
    grids = {g.pk for g in gridlog.readable_grids(request.user)}
    entry = VisitLog.objects.filter(pk=pk, grid_id__in=grids).exclude(photo="").first()
    if entry is None:
        raise Http404
    kind = inline_type(entry.photo)
    if kind is None:
        raise Http404
    return FileResponse(entry.photo.open("rb"), content_type=kind)
