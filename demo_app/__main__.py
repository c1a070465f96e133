"""``python -m demo_app``: run the demo in debug mode.

``DEBUG`` is passed to the factory because ``app.run(debug=True)`` only sets it after the
factory has run, too late for the debug toolbar to activate.
"""

from . import create_app

if __name__ == "__main__":
    create_app({"DEBUG": True}).run(debug=True)
