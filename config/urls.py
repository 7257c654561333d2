from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import language, site_views
from agreements.urls import staff_urlpatterns as staff_agreement_urls
from moderation.urls import artist_urlpatterns as appeal_urls
from notifications.urls import portal_urlpatterns as mark_all_read_urls
from portal.urls import urlpatterns as portal_urls
from publishing.urls import staff_credit_urlpatterns as staff_credit_urls

admin.site.site_header = "Vernissage operations"
admin.site.site_title = "Vernissage"

# Swagger UI under the strict policy (decision 0010): the split view loads its start-up
# script from a URL, and the one inline <style> block of drf-spectacular's page is allowed
# by its hash (tests/security/test_api_docs.py notices when that block changes). The page is
# drf-spectacular's template copied with <html lang="en"> (templates/api/swagger_ui.html).
swagger_ui = csp_update({"style-src": ["'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html")
)

# Not signed in: sign in first (portal.views.permission_denied), rather than a dead end.
handler403 = "portal.views.permission_denied"

urlpatterns = [
    # The dashboard and the data export; "Mark all as read" is notifications' view under
    # its old name, portal:notifications_read (one namespace, so one include).
    path("", include((portal_urls + mark_all_read_urls, "portal"))),
    # /notifications/ and the email choices at /account/notifications/.
    path("", include("notifications.urls")),
    path("agreement/", include("agreements.urls")),
    path("invitations/", include("invitations.urls")),
    path("generations/", include("studio.urls")),
    path("generations/", include(appeal_urls)),
    path("", include("publishing.urls")),
    path("staff/review/", include("moderation.urls")),
    path("staff/switches/", include("containment.urls")),
    path("staff/trace/", include("tracing.urls")),
    path("feedback/", include("feedback.urls")),
    path("ledger/", include("ledger.urls")),
    path("staff/agreements/", include(staff_agreement_urls)),
    path("staff/invitations/", include("invitations.staff_urls")),
    path("staff/credits/", include(staff_credit_urls)),
    path("staff/cohorts/", include("cohorts.urls")),
    path("staff/rate-cards/", include("ledger.staff_urls")),
    path("staff/surveys/", include("feedback.staff_urls")),
    path("staff/cohorts/<int:cohort_id>/analytics/", include("analytics.urls")),
    path("staff/announcements/", include("announcements.staff_urls")),
    path("announcements/", include("announcements.urls")),
    path("account/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    # The language switcher (Django's set_language, plus the account's language).
    path("i18n/setlang/", language.set_language, name="set_language"),
    # Before the admin: its own sign-in and password forms would skip ours (decision 0020).
    path("admin/login/", site_views.admin_login, name="admin_login_redirect"),
    path("admin/password_change/", site_views.admin_password_change),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="api-docs"),
    path("", include("observability.urls")),
    path("favicon.ico", site_views.favicon, name="favicon"),
]
