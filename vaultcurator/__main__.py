"""Allow ``python -m vaultcurator``."""

from vaultcurator.cli import main

raise SystemExit(main())
