"""Request plumbing every page and API shares: the client's address (behind our trusted
proxy), safe redirects, one line of text for a refusal, the database-outage page, upload
handlers and the form template tags. It imports no other app but ``domain``."""
