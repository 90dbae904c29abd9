"""What people see in a browser: the landing page, GraphiQL, the candidate's interview
page and the pipeline board, all served from this package (no CDN, no request leaves
the gateway's origin).

    routes(settings)          # the page and static-file routes, for ``create_app``

``pages/`` holds the HTML, ``static/`` the scripts, styles and the vendored GraphiQL
(``static/vendor/``, pinned versions with their licences). Every page is sent with the
headers of ``gateway.web.headers``: a strict Content-Security-Policy (scripts and
connections only to this origin), ``Referrer-Policy: no-referrer``, no framing.
"""
