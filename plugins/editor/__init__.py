"""The editor's workflow around the build: the release calendar (schedule), scaffolding of new files (scaffold),
previews at a date (preview), live reload while writing (livereload, localserver) and publishing (publish).

Not a Pelican plugin: `tasks.py` calls these modules. Validation itself is `sitebuild.check`, shared with the
build; the release calendar's reading of the schedule is `audiences.transitions`, shared with the build summary.
"""
