from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_home, name="home"),
    path("new/<str:kind>/", views.feedback_new, name="new"),
    path("<int:pk>/", views.feedback_detail, name="detail"),
    path("<int:pk>/me-too/", views.feedback_me_too_view, name="me_too"),
    path("surveys/<int:pk>/", views.survey_page, name="survey"),
    path("staff/", views.board, name="board"),
    path("staff/<int:pk>/", views.triage, name="triage"),
]
