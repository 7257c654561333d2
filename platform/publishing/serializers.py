"""How a publication reads in JSON: the publishing API's answers and the job's own JSON
(``studio.apis``) share it."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from publishing.models import Publication


class PublicationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = ["id", "visibility", "status", "url", "published_at", "ended_at", "end_reason"]

    def get_url(self, publication: Publication) -> str:
        if publication.visibility == "gallery":
            return reverse("publishing:gallery") + f"#p{publication.pk}"
        return reverse("publishing:shared", kwargs={"slug": publication.slug})
