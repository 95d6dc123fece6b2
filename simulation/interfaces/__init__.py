"""What people use: the ``prevsim`` command line, the browser app and the demo."""
