from django.urls import path

from publishing import credit_views, views

app_name = "publishing"

urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/<int:publication_id>/media/", views.gallery_media, name="gallery_media"),
    path("s/<str:slug>/", views.shared, name="shared"),
    path("s/<str:slug>/media/", views.shared_media, name="shared_media"),
    # Before the players' kinds: "download" is not one of them.
    path("m/<int:output_id>/download/", views.media_download, name="media_download"),
    path("m/<int:output_id>/<str:kind>/", views.media, name="media"),
    path("m/screenshots/<int:attachment_id>/", views.screenshot, name="screenshot"),
    path("m/inputs/<int:image_id>/", views.input_image, name="input_image"),
    path("generations/<int:job_id>/download/", views.download, name="download"),
    path("generations/<int:job_id>/publish/", views.publish, name="publish"),
    path("generations/<int:job_id>/unpublish/", views.unpublish, name="unpublish"),
    path("staff/publications/<int:publication_id>/takedown/", views.takedown, name="takedown"),
    path("staff/publications/<int:publication_id>/showcase/", views.showcase, name="showcase"),
    path("staff/takedowns/", views.takedowns, name="takedowns"),
    path("staff/takedowns/<int:takedown_id>/lift/", views.takedown_lift, name="takedown_lift"),
]

# Program admins: public credits, at /staff/credits/ (config/urls.py).
staff_credit_urlpatterns = (
    [path("", credit_views.staff_credits, name="list")],
    "staff_credits",
)
