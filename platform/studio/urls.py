from django.urls import path

from studio import views

app_name = "jobs"

urlpatterns = [
    path("", views.generation_list, name="list"),
    path("new/", views.generation_create, name="create"),
    path("compare/", views.generation_compare, name="compare"),
    path("<int:pk>/", views.generation_detail, name="detail"),
    path("<int:pk>/cancel/", views.generation_cancel, name="cancel"),
]
