"""Comments: drafts kept on disk, an outbox, and the sites' own comment systems.

The pieces: ``validate`` (the checks a site's comment form makes), ``discover``
(where a WordPress article takes comments), ``backends`` (WordPress REST, the
classic WordPress form, Isso, a webhook: one Protocol), ``outbox`` (states,
retries and backoff), ``service`` (the API the CLI and the UI call).
"""
