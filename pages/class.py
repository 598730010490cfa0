"""Class: start a class (join code, link, QR code) or join one; the Step through page then follows the
instructor. The work lives in backprop/ui/class_view.py."""

import backprop.ui.startup  # noqa: F401 — first: imports and builds once per process (see there)

# isort: split
from backprop.ui import class_view

class_view.class_page()
