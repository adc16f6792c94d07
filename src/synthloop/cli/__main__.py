"""`python -m synthloop.cli`: the command line."""

from synthloop.cli.app import main

main()
