"""Plotly figure builders: pure functions from core objects to go.Figure. No Streamlit here."""

from .gradients import layer_gradient
from .network import network_diagram

__all__ = ["layer_gradient", "network_diagram"]
