from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("account/notifications/", views.preferences, name="preferences"),
]

# "Mark all as read": its URL name has always been ``portal:notifications_read``, so
# config/urls.py includes these in the ``portal`` namespace (a name is a public contract).
portal_urlpatterns = [
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
