from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("sla/", views.sla, name="sla"),
    path("<int:item_id>/", views.item_page, name="item"),
    # Before the actions' pattern, which would read "notes" as an action.
    path("<int:item_id>/notes/", views.note_add, name="note_add"),
    path("<int:item_id>/<str:action>/", views.act, name="act"),
]

artist_urlpatterns = (
    [path("<int:job_id>/appeal/", views.appeal, name="appeal")],
    "appeals",
)
