"""Who sees which reception days and bookings: the days of the centers in the user's area
scope (and of the user's own units); a booking through the case's visibility."""

from django.db.models import Q, QuerySet

from areas.selectors import area_subtree_q, scope_of
from cases.selectors import cases_visible_to

from .models import Booking, ReceptionDay


def days_visible_to(user) -> QuerySet[ReceptionDay]:
    scope = scope_of(user)
    if scope.is_superuser:
        return ReceptionDay.objects.all()
    return ReceptionDay.objects.filter(
        area_subtree_q(scope.area_paths, "unit__area__")
        | Q(unit_id__in=scope.unit_ids)
        | Q(leader_id=user.pk)
    )


def bookings_visible_to(user) -> QuerySet[Booking]:
    return Booking.objects.filter(
        Q(case__in=cases_visible_to(user)) | Q(day__leader_id=user.pk)
    ).select_related("day")
