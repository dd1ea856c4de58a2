"""`python -m emulator ...` is the same as the `cogito` command."""

from emulator.cli import main

raise SystemExit(main())
