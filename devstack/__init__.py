"""Ways to stand the system up: `python -m devstack` runs everything locally (`make run`),
`devstack.mailbox` is the SMTP server that keeps every message (also used by the tests), and
`devstack.temporal_setup` registers the search attributes on a real cluster (docker-compose)."""
