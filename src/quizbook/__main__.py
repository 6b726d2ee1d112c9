import sys

from quizbook.cli import main

sys.exit(main())
