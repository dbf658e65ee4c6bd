"""The gate in front of the member area: member credentials and the web servers' configurations.

`members-sync` (tasks.py → `sync_members`) keeps `private/members.htpasswd` in step with a member export; the build
step `write_server_configs` writes nginx, Apache, Caddy and Cloudflare configurations into `dist/deploy/` (and the
chosen hosting's in-tree gate files into the site) and makes the leak gate look for every member e-mail and
credential; its validator checks the GATE_* settings and refuses a project while git tracks `private/`;
`verify-deploy` (verify.py) checks a live site from outside.
"""

from vorab import hooks

from .members import FEEDS, MIN_COST, MembersSyncFailed, SyncResult, new_calendar_address, sync_members
from .servers import GATE_OPTIONS, GateSettings, check_gate, write_server_configs

__all__ = ["MIN_COST", "GateSettings", "MembersSyncFailed", "SyncResult", "new_calendar_address", "register",
           "sync_members", "write_server_configs"]


def register() -> None:
    hooks.options(GATE_OPTIONS)
    hooks.validating.connect(check_gate)
    hooks.building.connect(write_server_configs)
    hooks.site_folder(FEEDS, "the members' personal calendar addresses (served from private/kalender/)")
