"""`python -m graphviz_app`: the same as the `graphviz-app` command."""

from graphviz_app.app import main

raise SystemExit(main())
