"""The Hosted UI and the OAuth 2.0 / OIDC endpoints of every user pool (reference §8).

Served by Cogito itself under its base URL: ``/login``, ``/signup``, ``/confirm``,
``/forgotPassword``, ``/logout``, ``/oauth2/authorize``, ``/oauth2/token``,
``/oauth2/userInfo`` and ``/oauth2/revoke``. A pool is found through the ``client_id``
of the request, so one Cogito serves every pool's pages.
"""
