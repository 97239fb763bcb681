"""Tests that drive the app in headless Chromium (marker `browser`; run with `pytest --headless`)."""
