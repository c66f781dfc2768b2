from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Trainingscatalogus — beheer")
admin.site.site_title = _("Trainingscatalogus")
admin.site.index_title = _("Beheer van trainingen, sessies en inschrijvingen")
admin.site.enable_nav_sidebar = False  # gives changelists the full width on laptops
