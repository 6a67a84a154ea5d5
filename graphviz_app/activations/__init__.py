"""The Activations tab: activation curves, their derivatives, and chains of them."""
