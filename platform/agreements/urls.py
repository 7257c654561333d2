from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_current_page, name="current"),
    path("signed/", views.agreement_signed_list, name="signed_list"),
    path("signed/<int:pk>/", views.agreement_signed_detail, name="signed_detail"),
]

staff_urlpatterns = (
    [
        path("", views.staff_agreement_list, name="staff_list"),
        path("<int:pk>/", views.staff_agreement_detail, name="staff_detail"),
    ],
    "staff_agreements",
)
