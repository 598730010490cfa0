"""Streamlit pieces shared by the pages: settings, the lesson view and session state."""
