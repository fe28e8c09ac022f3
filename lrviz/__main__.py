"""`python -m lrviz` runs the `lrviz` command."""

from lrviz.cli import main

main()
