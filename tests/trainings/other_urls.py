"""Another URL configuration with the catalogue's names (tests of trainings.reversing)."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, **kwargs):
    return HttpResponse("ok")


catalogue = (
    [
        path("", page, name="course-list"),
        path("<slug:slug>/", page, name="course-detail"),
    ],
    "catalogue",
)
urlpatterns = [path("elders/", include(catalogue))]
