from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from core.views import home
from foodvalley import errors
from foodvalley.health import health

# A lost database gets a Dutch 503 page instead of a 500 (foodvalley/errors.py); neither page touches the database.
handler500 = errors.server_error


urlpatterns = [
    path("health/", health, name="health"),
    path("toegankelijkheid/", core_views.accessibility, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("imports/", include("placements.imports.urls")),
    path("monitor/doelen/", include("monitoring.targets.urls")),
    path("monitor/", include("monitoring.urls")),
    path("casework/", include("casework.urls")),
    path("rapportages/", include("reports.urls")),
    path("pleegzorg/", include("fostercare.urls")),
    path("jeugdbescherming/", include("protection.urls")),
    path("crisis/", include("crisis.urls")),
    path("aanbieders/", include("providers.urls")),
    path("maatregelen/", include("actionplan.urls")),
    path("prognose/", include("forecast.urls")),
    path("", home, name="home"),
    path("", include("placements.urls")),
]
# No media route, not even with DEBUG: every file the app keeps (uploads, reports, logos, exports) is private
# (core.storage) and leaves the server only through a permission-checked, logged view.
