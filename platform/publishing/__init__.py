"""Publishing approved outputs (public gallery or unlisted link), and the one door to
every media file: signed, short-lived URLs re-authorised on each request."""
