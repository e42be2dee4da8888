"""The TUI screens: each talks to the app by messages and actions, never by importing it."""
