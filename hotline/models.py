"""12345 work orders (工单) and the mapping of one city's 12345 platform to ours.

Every city's platform names its fields differently, so the names are data: a HotlineMapping
says which field of an inbound order holds what, which request-type values mean 咨询 / 投诉 /
建议 / 求助, which field names each outbound message uses, and how long after an order came in
it may still be returned (退单). No field name of a platform is written anywhere else.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Unit
from cases.models import Case


class RequestType(models.TextChoices):
    """The four request types of the 12345 hotline (国办发〔2020〕53号)."""

    CONSULT = "consult", _("consultation (咨询)")
    COMPLAINT = "complaint", _("complaint (投诉)")
    SUGGESTION = "suggestion", _("suggestion (建议)")
    HELP = "help", _("request for help (求助)")


# 投诉 and 求助 become cases; 咨询 and 建议 are answered directly by a clerk.
CASE_TYPES = frozenset({RequestType.COMPLAINT, RequestType.HELP})


class OrderState(models.TextChoices):
    RECEIVED = "received", _("received")
    SIGNED = "signed", _("signed for (签收)")
    RETURNED = "returned", _("returned (退单)")
    ANSWERED = "answered", _("answered directly")
    FINISHED = "finished", _("finished (办结)")
    VISITED = "visited", _("visited (回访)")


# What an inbound order carries (our key → the mapping's field holding the platform's name).
INBOUND_KEYS = (
    "order_no",
    "request_type",
    "caller_name",
    "caller_phone",
    "content",
    "address",
    "area_code",
    "due_at",
)
REQUIRED_INBOUND = ("order_no", "request_type", "content", "area_code")

# What each outbound message may carry, by message (hotline.<message> is its webhook topic).
OUTBOUND_KEYS = {
    "signed": ("order_no", "at", "unit"),
    "returned": ("order_no", "at", "reason"),
    "progress": ("order_no", "at", "text", "unit"),
    "finished": ("order_no", "at", "reply", "unit"),
    "visited": ("order_no", "at", "satisfaction", "result"),
}


class HotlineMapping(models.Model):
    """One city's 12345 platform: its field names and values (see the module's doc)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default mapping"), default=False)
    order_no_field = models.CharField(_("field: order number (工单号)"), max_length=60)
    request_type_field = models.CharField(_("field: request type (诉求类型)"), max_length=60)
    caller_name_field = models.CharField(_("field: caller's name"), max_length=60)
    caller_phone_field = models.CharField(_("field: caller's phone"), max_length=60)
    content_field = models.CharField(_("field: content of the request"), max_length=60)
    address_field = models.CharField(_("field: address"), max_length=60)
    area_code_field = models.CharField(_("field: area code"), max_length=60)
    due_at_field = models.CharField(_("field: the hotline's due time"), max_length=60)
    type_values = models.JSONField(
        _("request-type values"),
        default=dict,
        help_text=_("The platform's value → consult, complaint, suggestion or help."),
    )
    outbound = models.JSONField(
        _("outbound field names"),
        default=dict,
        help_text=_(
            "Per message (signed, returned, progress, finished, visited): our key → field."
        ),
    )
    return_window_hours = models.PositiveIntegerField(
        _("return window (hours after the order came in)"), default=24
    )

    class Meta:
        verbose_name = _("12345 platform mapping")
        verbose_name_plural = _("12345 platform mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="hotline_one_default_mapping",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def field(self, key: str) -> str:
        """The platform's name of an inbound field (INBOUND_KEYS)."""
        return getattr(self, f"{key}_field")

    def clean(self):
        errors = {}
        for value, kind in (self.type_values or {}).items():
            if kind not in RequestType.values:
                errors["type_values"] = _(
                    "%(value)s: not one of consult, complaint, suggestion, help."
                ) % {"value": value}
        outbound = self.outbound or {}
        for message, keys in OUTBOUND_KEYS.items():
            names = outbound.get(message)
            if not isinstance(names, dict) or not names.get("order_no"):
                errors["outbound"] = _("Name the order number field of every message: %(m)s.") % {
                    "m": ", ".join(OUTBOUND_KEYS)
                }
                break
            unknown = set(names) - set(keys)
            if unknown:
                errors["outbound"] = _("%(m)s: unknown keys %(k)s.") % {
                    "m": message,
                    "k": ", ".join(sorted(unknown)),
                }
        if errors:
            raise ValidationError(errors)


class HotlineOrder(models.Model):
    mapping = models.ForeignKey(
        HotlineMapping, on_delete=models.PROTECT, related_name="orders", verbose_name=_("mapping")
    )
    order_no = models.CharField(_("order number (工单号)"), max_length=60)
    request_type = models.CharField(_("request type"), max_length=20, choices=RequestType.choices)
    caller_name = models.CharField(_("caller"), max_length=60, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)
    content = models.TextField(_("content of the request"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving unit")
    )
    due_at = models.DateTimeField(_("hotline due time"), null=True, blank=True)
    payload = models.JSONField(_("order as received"), default=dict)
    case = models.OneToOneField(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hotline_order",
        verbose_name=_("case"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=OrderState.choices, default=OrderState.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"))
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "order_no"], name="hotline_order_once")
        ]
        indexes = [models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return self.order_no

    @property
    def makes_case(self) -> bool:
        return self.request_type in CASE_TYPES


# How the clerk's pages name what a message carries (the body itself uses the platform's names).
OUTBOUND_LABELS = {
    "order_no": _("order number (工单号)"),
    "at": _("time"),
    "unit": _("handling unit"),
    "reason": _("reason for returning"),
    "text": _("progress reply"),
    "reply": _("reply"),
    "satisfaction": _("satisfaction"),
    "result": _("result of the visit"),
}


class MessageKind(models.TextChoices):
    SIGNED = "signed", _("signed for (签收)")
    RETURNED = "returned", _("returned (退单)")
    PROGRESS = "progress", _("progress reply (阶段回复)")
    FINISHED = "finished", _("finished (办结)")
    VISITED = "visited", _("follow-up visit (回访)")


class HotlineMessage(models.Model):
    """A message sent back to the platform (签收, 退单, 阶段回复, 办结, 回访): its body in the
    platform's field names, as published to the webhook subscribers."""

    order = models.ForeignKey(
        HotlineOrder, on_delete=models.CASCADE, related_name="messages", verbose_name=_("order")
    )
    kind = models.CharField(_("message"), max_length=20, choices=MessageKind.choices)
    data = models.JSONField(_("body"), default=dict)
    sent_at = models.DateTimeField(_("sent at"))
    deliveries = models.PositiveIntegerField(_("deliveries queued"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("12345 outbound message")
        verbose_name_plural = _("12345 outbound messages")
        ordering = ["sent_at", "pk"]

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) of what the message said, in our words, without the order number."""
        names = (self.order.mapping.outbound or {}).get(self.kind) or {}
        return [
            (OUTBOUND_LABELS.get(key, key), self.data[name])
            for key, name in names.items()
            if key not in ("order_no", "at") and name in self.data and self.data[name] != ""
        ]
