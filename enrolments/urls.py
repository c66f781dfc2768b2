from django.urls import path

from enrolments.exports import views as export_views
from enrolments.public import views
from enrolments.settlement import views as attendance_views

app_name = "enrolments"

urlpatterns = [
    path("sessies/<int:session_id>/inschrijven/", views.enrol, name="enrol"),
    path("sessies/<int:session_id>/inschrijven/ontvangen/", views.enrolled, name="enrolled"),
    path("sessies/<int:session_id>/inschrijven/groep/", views.group_enrol, name="group-enrol"),
    path(
        "sessies/<int:session_id>/inschrijven/groep/ontvangen/",
        views.group_enrolled,
        name="group-enrolled",
    ),
    path("groepsaanmelding/<str:token>/", views.group_confirm, name="group-confirm"),
    path("inschrijving/<str:token>/", views.self_service, name="self-service"),
    path(
        "export/sessies/<int:session_id>/inschrijvingen.csv",
        export_views.session_export,
        {"fmt": "csv"},
        name="export-csv",
    ),
    path(
        "export/sessies/<int:session_id>/inschrijvingen.xlsx",
        export_views.session_export,
        {"fmt": "xlsx"},
        name="export-xlsx",
    ),
    path(
        "export/sessies/<int:session_id>/presentielijst/",
        export_views.attendance_list,
        name="attendance-list",
    ),
    path(
        "aanwezigheid/sessies/<int:session_id>/",
        attendance_views.attendance_page,
        name="attendance",
    ),
    path("trainingen/<slug:slug>/op-de-hoogte/", views.interest, name="interest"),
    path(
        "trainingen/<slug:slug>/op-de-hoogte/bedankt/",
        views.interest_thanks,
        name="interest-thanks",
    ),
    path("trainingen/<slug:slug>/op-maat/", views.session_request, name="request"),
    path("trainingen/<slug:slug>/op-maat/bedankt/", views.request_thanks, name="request-thanks"),
]
