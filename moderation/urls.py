from django.urls import path

from moderation import second_opinion_views, views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("sla/", views.sla, name="sla"),
    # Second opinions (decision 0036): blind pages, and the program admin's settle page.
    path("second-opinions/", second_opinion_views.queue, name="second_opinions"),
    path(
        "second-opinions/<int:opinion_id>/",
        second_opinion_views.opinion_page,
        name="second_opinion",
    ),
    path(
        "second-opinions/<int:opinion_id>/settle/",
        second_opinion_views.settle,
        name="second_opinion_settle",
    ),
    path(
        "second-opinions/<int:opinion_id>/<str:action>/",
        second_opinion_views.act,
        name="second_opinion_act",
    ),
    path("<int:item_id>/", views.item_page, name="item"),
    # Before the actions' pattern, which would read "notes" as an action.
    path("<int:item_id>/notes/", views.note_add, name="note_add"),
    path("<int:item_id>/<str:action>/", views.act, name="act"),
]

artist_urlpatterns = (
    [path("<int:job_id>/appeal/", views.appeal, name="appeal")],
    "appeals",
)
