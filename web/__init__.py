"""The web side of dondoc: the Litestar app, its JSON API, pages and the command line."""
