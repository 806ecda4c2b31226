from chipcontrols.cli import run

raise SystemExit(run())
