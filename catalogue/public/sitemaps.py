from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from trainings.models import Course, LearningPath, Profile


class LanguageVersions(Sitemap):
    """Every page once per language (/…, /fr/…, /en/…), each with its alternates and the
    Dutch one as x-default (README, "Languages and URLs")."""

    i18n = True
    alternates = True
    x_default = True


class CourseSitemap(LanguageVersions):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Course.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, course):
        return course.updated_at


class PathSitemap(LanguageVersions):
    changefreq = "monthly"

    def items(self):
        return LearningPath.objects.filter(is_published=True).only("slug").order_by("pk")


class ProfileSitemap(LanguageVersions):
    changefreq = "monthly"

    def items(self):
        return Profile.objects.only("slug").order_by("pk")


class PageSitemap(LanguageVersions):
    priority = 0.6

    def items(self):
        return [
            "catalogue:home",
            "catalogue:course-list",
            "catalogue:path-list",
            "catalogue:profile-list",
            "catalogue:privacy",
            "catalogue:accessibility",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "courses": CourseSitemap,
    "paths": PathSitemap,
    "profiles": ProfileSitemap,
    "pages": PageSitemap,
}
