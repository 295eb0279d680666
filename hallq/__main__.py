"""`python -m hallq`: the `hallq` command."""

from hallq.cli.entry import main

main()
