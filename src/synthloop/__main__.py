"""`python -m synthloop`: the command line."""

from synthloop.cli import main

main()
