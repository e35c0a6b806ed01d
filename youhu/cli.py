"""The `youhu` console script: the project's manage command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "youhu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["youhu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
