"""`python -m devstack`: run the whole system locally (see `devstack.run`)."""

from devstack.run import main

raise SystemExit(main())
