from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogus")

    def ready(self) -> None:
        # Any write to what is offered makes the cached public pages stale
        # (catalogue/http/cache.py).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from catalogue.http.cache import catalogue_changed, places_changed
        from trainings import models
        from trainings.signals import offer_changed
        from trainings.signals import places_changed as places_changed_signal

        offer_changed.connect(catalogue_changed, dispatch_uid="pages-offer-changed")
        places_changed_signal.connect(places_changed, dispatch_uid="pages-places-changed")
        watched = [
            models.Provider,
            models.Audience,
            models.Format,
            models.Theme,
            models.Course,
            models.ProgrammePart,
            models.Price,
            models.Location,
            models.Session,
            models.SessionDay,
            models.Profile,
            models.LearningPath,
            models.LearningPathStep,
            models.Resource,
        ]
        for model in watched:
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"pages-{model}")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"pages-d-{model}")
        for relation in (
            models.Course.formats,
            models.Course.audiences,
            models.Course.providers,
            models.Course.related_courses,
            models.Profile.courses,
        ):
            m2m_changed.connect(
                catalogue_changed,
                sender=relation.through,
                dispatch_uid=f"pages-m2m-{relation.through}",
            )
