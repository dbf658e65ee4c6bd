"""The shared vocabulary of a Vorab build: what the core (plugins/sitebuild) and every capability pass each other,
importing neither.

- errors.py: the problems editors are told about (`path:line: field: expected …, found …`) and the failures;
- tiers.py: the audiences, lowest first, and their folders;
- model.py: source files, items, the registry, the sources each audience's run is given;
- context.py: what validators (Validation) and build steps (BuildContext) see;
- options.py: settings, checked MkDocs-style;
- hooks.py: where capabilities connect their validators and steps and declare their settings.

Import the modules, not this package: it holds nothing itself, so that importing it imports nothing else.
"""
