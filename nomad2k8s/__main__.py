"""`python -m nomad2k8s` and the `nomad2k8s` script: Ctrl-C while the CLI's modules import is one line too."""

import sys


def main() -> None:
    try:
        from .cli import run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
