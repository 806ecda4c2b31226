from chipcontrols.cli import main

raise SystemExit(main())
