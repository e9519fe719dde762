"""The area tree (county → town/street → village/community → grid), units and staff."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .signals import area_moved


def path_ids(path: str) -> list[int]:
    """The area ids of a materialised path ("/1/7/42/"), root first."""
    return [int(p) for p in path.strip("/").split("/") if p]


class Level(models.IntegerChoices):
    """Administrative level; a smaller number is a higher level."""

    PROVINCE = 1, _("province")
    CITY = 2, _("city")
    COUNTY = 3, _("county/district")
    TOWN = 4, _("town/street")
    VILLAGE = 5, _("village/community")
    GRID = 6, _("grid")


class Area(models.Model):
    """A node of the area tree, identified by its statistical division code.

    `path` is the materialised chain of ancestor ids ("/1/7/42/") so that
    "this area and everything below it" is one indexed prefix query.
    """

    code = models.CharField(_("division code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent area"),
    )
    population = models.PositiveIntegerField(_("resident population"), default=0)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != old_path:
            Area.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # Moving a subtree: rewrite descendants' paths in one pass.
                for child in Area.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Area.objects.filter(pk=child.pk).update(
                        path=new_path + child.path[len(old_path) :]
                    )
                area_moved.send(sender=Area, area=self, old_path=old_path)

    @property
    def code12(self) -> str:
        """The 12-digit statistical code; a grid borrows its village's."""
        return self.code[:12].ljust(12, "0")

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this area itself, read from the materialised path."""
        return path_ids(self.path)

    def ancestors(self) -> list["Area"]:
        """This area and its ancestors, root first."""
        ids = self.ancestor_ids
        by_id = Area.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def ancestor_at_level(self, level: int) -> "Area | None":
        """This area or its ancestor at `level`; where the tree skips that level, the
        nearest one above it."""
        candidates = [a for a in self.ancestors() if a.level <= level]
        return candidates[-1] if candidates else None

    def is_within(self, other: "Area") -> bool:
        return self.path.startswith(other.path)


class UnitKind(models.TextChoices):
    CENTER = "center", _("comprehensive governance center")
    DEPARTMENT = "department", _("functional department")
    POLICE = "police", _("police station")
    COURT = "court", _("court")
    TRIBUNAL = "tribunal", _("people's tribunal")
    PROCURATORATE = "procuratorate", _("procuratorate")
    MEDIATION_COMMITTEE = "mediation", _("people's mediation committee")
    PRO_MEDIATION = "pro_mediation", _("professional mediation committee")


class Speciality(models.TextChoices):
    """The field a department or professional committee covers. Stored as these values (as
    routing rules name them); shown by their labels. A value not listed here (typed in before
    the list) is kept and shown as it is."""

    LABOUR = "labour", _("labour and social security")
    HOUSING = "housing", _("housing and construction")
    MARKET = "market", _("market regulation")
    LAND = "land", _("land and natural resources")
    HEALTH = "health", _("health")
    EDUCATION = "education", _("education")
    PUBLIC_SECURITY = "public security", _("public security")
    MEDICAL = "medical", _("medical disputes")
    PROPERTY = "property", _("property management")
    FINANCE = "finance", _("finance")
    TRAFFIC = "traffic", _("road traffic accidents")
    DEMOLITION = "demolition", _("land requisition and demolition")

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored speciality; an unlisted value as it is."""
        return str(cls(value).label) if value in cls.values else value

    @classmethod
    def form_choices(cls, current: str = "") -> list[tuple[str, str]]:
        """Choices for a form: none, the listed specialities, and the current value if unlisted."""
        extra = [(current, current)] if current and current not in cls.values else []
        return [("", "—")] + list(cls.choices) + extra


# Units whose staff see every case in their area's subtree (territorial scope);
# the others see only the cases their unit is linked to.
TERRITORIAL_UNIT_KINDS = {UnitKind.CENTER}


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area")
    )
    speciality = models.CharField(
        _("speciality"),
        max_length=60,
        blank=True,
        help_text=_("For departments and professional committees, e.g. labour, medical, property."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area__code", "kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    @property
    def speciality_label(self) -> str:
        return Speciality.label_of(self.speciality)

    @property
    def is_territorial(self) -> bool:
        return self.kind in TERRITORIAL_UNIT_KINDS


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")
    # 信息员 and 联户长: report (daily report, visit log, problem list) for a grid, but do
    # not register or handle cases; the grid worker turns what they report into cases.
    INFORMANT = "informant", _("information officer")
    HOUSEHOLD_HEAD = "household_head", _("household head")
    CLERK = "clerk", _("center clerk")
    MEDIATOR = "mediator", _("mediator")
    HANDLER = "handler", _("department handler")
    LEADER = "leader", _("leader")
    COURT_LIAISON = "court_liaison", _("court liaison")
    ADMIN = "admin", _("administrator")


class Membership(models.Model):
    """A user's place in a unit with one role.

    `area` narrows the scope below the unit's area: a grid worker belongs to
    the village center but walks one grid.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid or sub-area"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        unique_together = [("user", "unit", "role")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"

    @property
    def scope_area(self) -> Area:
        return self.area or self.unit.area
