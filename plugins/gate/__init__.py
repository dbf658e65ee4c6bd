"""The gate in front of the member area (issue 4): member credentials and the web servers' configurations.

`members-sync` (tasks.py → `sync_members`) keeps `private/members.htpasswd` in step with a member export; the build
step `write_server_configs` writes nginx, Apache, Caddy and Netlify configurations into `dist/deploy/`, refuses to
build while git tracks `private/`, and makes the leak gate look for every member e-mail and credential.

Not a Pelican plugin: it runs in the build (plugins/sitebuild) and in tasks.py.
"""

from .members import MIN_COST, MembersSyncFailed, SyncResult, sync_members
from .servers import GateSettings, write_server_configs

__all__ = ["MIN_COST", "GateSettings", "MembersSyncFailed", "SyncResult", "sync_members", "write_server_configs"]
