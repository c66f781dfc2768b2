from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("trainingen/", views.course_list, name="course-list"),
    path("trainingen/<slug:slug>/", views.course_detail, name="course-detail"),
    path("leerlijnen/<slug:slug>/", views.path_detail, name="path-detail"),
    path("profielen/<slug:slug>/", views.profile_detail, name="profile-detail"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
]
