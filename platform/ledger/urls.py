from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.home, name="home"),
    path("rates/", views.rates, name="rates"),
    path("staff/", views.staff, name="staff"),
    path("staff/entries/", views.manual_entry, name="manual_entry"),
    path("staff/entries/<int:entry_id>/reverse/", views.reverse_entry, name="reverse"),
    path("export.csv", views.export_csv, name="export"),
]
