"""The served inventory (``inventory serve``): pages, a calendar feed and a JSON API over
any store, read-only. ``app.py`` routes and answers, ``params.py`` reads a query string as
the filters of ``list``, ``pages.py`` gives the templates their contexts."""
