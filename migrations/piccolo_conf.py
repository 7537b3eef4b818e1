"""Piccolo's own configuration, used only by the migration runner (web.cli.migrate); it reads the URL
from DONDOC_DATABASE_URL, which `dondoc migrate` sets."""

import os

from piccolo.conf.apps import AppRegistry

from tasks.db import engine_from_url

DEFAULT_DATABASE_URL = "sqlite:///var/dondoc.sqlite3"

DB = engine_from_url(os.environ.get("DONDOC_DATABASE_URL") or DEFAULT_DATABASE_URL)
APP_REGISTRY = AppRegistry(apps=["tasks.piccolo_app", "web.piccolo_app", "notify.piccolo_app"])
