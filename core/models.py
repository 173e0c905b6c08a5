"""Model fields every app shares: who made a record and when (`Created`), and the state of background work
(`Job`: snapshot runs, imports, reports and exports are jobs, core.jobs)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Created(models.Model):
    """Who made the record and when."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("aangemaakt door"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Wacht")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    REFUSED = "refused", _("Geweigerd")
    FAILED = "failed", _("Mislukt")


#: The states a job does not leave again.
FINISHED = (JobStatus.DONE, JobStatus.REFUSED, JobStatus.FAILED)


class Job(Created):
    """Work that runs in the background (a Celery task, or in-process without a broker) and records its state
    here, so that any page can show its progress (core.jobs.job_payload, one status view, static/js/jobs.js)."""

    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    phase = models.CharField(_("fase"), max_length=80, blank=True)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=0)
    message = models.TextField(_("melding"), blank=True)
    started_at = models.DateTimeField(_("gestart"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def percent(self) -> int:
        """Progress in percent (a job may compute it from its own counters)."""
        return 100 if self.status == JobStatus.DONE else int(self.progress or 0)

    def status_fields(self) -> dict:
        """Figures of this kind of job that its page shows next to the progress (the polling script fills every
        element with a matching data-field)."""
        return {}


class FormSubmission(models.Model):
    """A submitted form's one-time token (core.submissions): a second POST of the same form is not handled again."""

    token = models.CharField(_("token"), max_length=32, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    location = models.CharField(_("doorgestuurd naar"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("verstuurd"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("verstuurd formulier")
        verbose_name_plural = _("verstuurde formulieren")

    def __str__(self) -> str:
        return f"{self.created_at:%d-%m-%Y %H:%M} → {self.location or '…'}"
