"""The artist portal's shell: layout, navigation, dashboard."""
